using Crm.Pipeline;
using Crm.Pipeline.Jobs;
using Crm.Pipeline.Reports;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Crm.Tests.Reports;

public sealed class ReportsRegistrationTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        // Never opened in these tests: registration and options only.
        services.AddSingleton(_ => NpgsqlDataSource.Create("Host=127.0.0.1;Database=none"));
        services.AddCrmPipeline(configuration);
        return services.BuildServiceProvider();
    }

    [Fact]
    public void AddCrmPipeline_RegistersTheReportsStage_WithRecipientsFromConfiguration()
    {
        using var provider = Build(new()
        {
            ["Crm:Reports:Recipients:0:Name"] = "Li",
            ["Crm:Reports:Recipients:0:Address"] = "li@x.test",
            ["Crm:Reports:Recipients:0:TimeZone"] = "Asia/Shanghai",
            ["Crm:Reports:Recipients:0:Cadence"] = "daily",
            ["Crm:Reports:Recipients:0:Language"] = "zh",
            ["Crm:Reports:Calendar:Weekend:0"] = "Friday",
        });

        var stage = Assert.Single(provider.GetServices<IPipelineStage>(), s => s.Name == "reports");
        var options = provider.GetRequiredService<IOptionsMonitor<ReportsOptions>>().CurrentValue;

        Assert.IsType<ReportsStage>(stage);
        Assert.Equal("zh", Assert.Single(options.Recipients).Language);
        Assert.Equal([DayOfWeek.Friday], options.Calendar.Weekend);
    }

    [Fact]
    public void ABadRecipient_FailsOptionsValidation_NamingTheSetting()
    {
        using var provider = Build(new()
        {
            ["Crm:Reports:Recipients:0:Address"] = "li@x.test",
            ["Crm:Reports:Recipients:0:TimeZone"] = "Nowhere/City",
        });

        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptionsMonitor<ReportsOptions>>().CurrentValue);
        Assert.Contains("Crm:Reports:Recipients:0:TimeZone", e.Message, StringComparison.Ordinal);
    }
}

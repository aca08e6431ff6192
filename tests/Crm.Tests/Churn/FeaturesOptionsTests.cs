using Crm.Pipeline;
using Crm.Pipeline.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Crm.Tests.Churn;

/// <summary>The features stage's own settings (issue 21), with the keys it took over from <c>Crm:Churn</c>, and its cutoff layout.</summary>
public sealed class FeaturesOptionsTests
{
    private static FeaturesOptions Bind(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(_ => NpgsqlDataSource.Create("Host=127.0.0.1;Database=none"));
        services.AddCrmPipeline(configuration);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptionsMonitor<FeaturesOptions>>().CurrentValue;
    }

    [Fact]
    public void OldChurnKeys_StillSetTheFeatures_AndTheFeaturesSectionWins()
    {
        var options = Bind(new()
        {
            ["Crm:Churn:CutoffStepDays"] = "20",
            ["Crm:Churn:FeatureSampleCustomers"] = "500",
            ["Crm:Churn:SeedOneToOneIdentity"] = "true",
            ["Crm:Churn:HorizonDays"] = "60",
            ["Crm:Features:FeatureSampleCustomers"] = "700",
        });

        Assert.Equal(20, options.CutoffStepDays);
        Assert.Equal(60, options.HorizonDays);
        Assert.True(options.SeedOneToOneIdentity);
        Assert.Equal(700, options.FeatureSampleCustomers);
        Assert.Equal(10_000, options.MaxFitCustomers);
    }

    [Fact]
    public void InvalidStep_FailsNamingBothKeys()
    {
        var e = Assert.Throws<OptionsValidationException>(() => Bind(new() { ["Crm:Features:CutoffStepDays"] = "0" }));
        Assert.Contains("Crm:Features:CutoffStepDays (or Crm:Churn:CutoffStepDays) must be at least 1; got 0.", e.Failures);
    }

    [Fact]
    public void DefaultLayout_HasTodayAndNinePastCutoffsThirtyDaysApart()
    {
        // In steps of 30 days back from today (the 90-day horizon is 3 steps): test cutoffs 3, 4, 5; training 3..6;
        // the fold of test cutoff k trains on k + 3 .. k + 6, so 6..11. Together: today and 3..11.
        var asOf = new DateOnly(2025, 1, 1);
        var layout = new FeaturesOptions().Layout();
        var expected = new[] { 0, 3, 4, 5, 6, 7, 8, 9, 10, 11 }.Select(k => asOf.AddDays(-30 * k)).Order().ToList();

        Assert.Equal(expected, layout.All(asOf));
        Assert.Equal(new DateOnly(2024, 10, 3), layout.LatestLabelled(asOf));
        Assert.Equal([new DateOnly(2024, 8, 4), new DateOnly(2024, 9, 3), new DateOnly(2024, 10, 3)], layout.Backtest(asOf));
        Assert.Equal([new DateOnly(2024, 4, 6), new DateOnly(2024, 5, 6), new DateOnly(2024, 6, 5), new DateOnly(2024, 7, 5)], layout.FoldTraining(new DateOnly(2024, 10, 3)));
    }
}

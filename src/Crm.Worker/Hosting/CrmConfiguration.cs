using Microsoft.Extensions.Configuration;

namespace Crm.Worker.Hosting;

/// <summary>
/// Where settings come from, lowest priority first: <c>appsettings.json</c> beside the binary,
/// <c>crm.json</c> in the working directory, files named by <c>--config</c>, then environment
/// variables (<c>ConnectionStrings__Warehouse</c>, <c>Crm__Orders__Feeds__0__Name</c>, …), then
/// values a command sets itself (the demo's sample sources).
/// </summary>
public static class CrmConfiguration
{
    /// <summary>Builds the configuration.</summary>
    public static IConfigurationRoot Build(IEnumerable<string>? extraFiles = null, IDictionary<string, string?>? overrides = null, Stream? extraJson = null)
    {
        var builder = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), "crm.json"), optional: true);
        foreach (var file in extraFiles ?? [])
        {
            builder.AddJsonFile(Path.GetFullPath(file), optional: false);
        }

        if (extraJson is not null)
        {
            builder.AddJsonStream(extraJson);
        }

        builder.AddEnvironmentVariables();
        if (overrides is not null)
        {
            builder.AddInMemoryCollection(overrides);
        }

        return builder.Build();
    }
}

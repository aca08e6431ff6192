using Crm.Pipeline.Sources.Orders;
using Microsoft.Extensions.Configuration;

namespace Crm.IntegrationTests.Infrastructure;

/// <summary>Paths to the repository's data and the public data sets vendored under tests/data.</summary>
public static class TestData
{
    /// <summary>The repository root (the folder holding Crm.sln).</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>
    /// The public data sets the tests read, vendored under <c>tests/data</c> with their origin and licence,
    /// so a clone with nothing beside it runs the whole suite.
    /// </summary>
    public static string PublicData => Path.Combine(RepositoryRoot, "tests", "data");

    /// <summary>The CDNOW 1/10 sample: the copy bundled with the demo (see its README for the origin).</summary>
    public static string CdnowSample => Path.Combine(RepositoryRoot, "src", "Crm.Worker", "demo", "cdnow", "CDNOW_sample.txt");

    /// <summary>Loads a sample feed definition from <c>deploy/config/feeds/NAME.json</c>.</summary>
    public static OrderFeedOptions LoadFeed(string name) =>
        LoadFeedFrom(Path.Combine(RepositoryRoot, "deploy", "config", "feeds", name + ".json"), name);

    /// <summary>Loads the feed <paramref name="name"/> from a settings file; <c>{demo}</c> stands for the demo folder.</summary>
    public static OrderFeedOptions LoadFeedFrom(string settingsFile, string name)
    {
        var demo = Path.Combine(RepositoryRoot, "src", "Crm.Worker", "demo");
        var text = File.ReadAllText(settingsFile).Replace("{demo}", demo, StringComparison.Ordinal);
        var config = new ConfigurationBuilder()
            .AddJsonStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)))
            .Build();
        var options = new OrdersOptions();
        config.GetSection("Crm:Orders").Bind(options);
        return options.Feeds.Single(f => f.Name == name);
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Crm.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Crm.sln not found above " + AppContext.BaseDirectory);
    }
}

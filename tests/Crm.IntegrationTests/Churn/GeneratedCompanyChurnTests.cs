using Crm.IntegrationTests.Infrastructure;
using Crm.Pipeline;
using Crm.Pipeline.Churn;
using Crm.Pipeline.Jobs;
using Crm.Synthetic;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit.Abstractions;

namespace Crm.IntegrationTests.Churn;

/// <summary>
/// The churn model on a whole generated company (#8): orders, web logs and mail go through the real
/// ingest and identity stages, features and models are built as the nightly run builds them, and the
/// scores are compared with the generator's truth (each person's true dropout).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class GeneratedCompanyChurnTests(PostgresCluster cluster, ITestOutputHelper output) : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("crm-gen-churn-").FullName;

    internal static readonly GeneratorOptions Company = new()
    {
        Customers = 1500, Start = new DateOnly(2025, 1, 1), Days = 240, Seed = 8, PurchaseScale = 30,
        VisitsPerPurchase = 1.5, BaselineVisitsPerYear = 4, CampaignReach = 0.05, QuestionsPerYear = 0.3, Progress = false,
    };

    [Fact]
    public async Task OnAGeneratedCompany_TheModelBeatsShuffledLabels_AndFindsTheTrueDropouts()
    {
        await using var ds = await cluster.CreateMigratedDatabaseAsync("genchurn");
        var options = new ChurnOptions
        {
            AsOf = Company.Start.AddDays(Company.Days), HorizonDays = 60, BacktestCutoffs = 1, TrainingCutoffs = 3,
            Trees = 50, Leaves = 8, MinimumExamplesPerLeaf = 40,
        };
        var folder = await LoadAsync(ds, Company, _root, options, output.WriteLine, ["www"]);
        var cutoff = options.AsOf!.Value.AddDays(-options.HorizonDays);

        var report = await TruthComparison.RunAsync(ds, folder, options, 20, cutoff, CancellationToken.None);
        foreach (var line in report.Lines())
        {
            output.WriteLine(line);
        }

        output.WriteLine($"train rows {report.TrainRows}, test rows {report.TestRows}, truly dropped out {report.TrueDropoutShare:P1}");
        var all = report["all"];
        var shuffled = report["all, shuffled labels"];
        Assert.True(report.TestRows > 500, $"only {report.TestRows} active customers at {cutoff}");
        Assert.True(all.Observed.RocAuc > shuffled.Observed.RocAuc + 0.1, $"model AUC {all.Observed.RocAuc:F3}, shuffled-label AUC {shuffled.Observed.RocAuc:F3}");
        Assert.InRange(shuffled.Observed.RocAuc, 0.35, 0.65);
        Assert.True(all.TrueDropoutAuc > 0.65, $"AUC against the true dropout {all.TrueDropoutAuc:F3}");
    }

    /// <summary>Generates the company and runs the ingest and identity stages on it, then the feature cutoffs.</summary>
    internal static async Task<string> LoadAsync(NpgsqlDataSource ds, GeneratorOptions company, string root, ChurnOptions options, Action<string> log, IReadOnlyCollection<string>? webSites = null, int sample = 100_000)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var folder = Path.Combine(root, "synthetic");
        company.Out = folder;
        new SyntheticCompanyGenerator(company).Run();
        log($"generate: {watch.Elapsed.TotalSeconds:F1} s");
        var demo = Path.Combine(TestData.RepositoryRoot, "src", "Crm.Worker", "demo");
        var builder = new ConfigurationBuilder();
        foreach (var fragment in new[] { "synthetic.settings.json", "identity.settings.json" })
        {
            var text = File.ReadAllText(Path.Combine(demo, fragment)).Replace("{demo}", System.Text.Json.JsonEncodedText.Encode(root).ToString(), StringComparison.Ordinal);
            var json = System.Text.Json.Nodes.JsonNode.Parse(text)!;
            if (json["Crm"]?["WebLogs"]?["Sources"] is System.Text.Json.Nodes.JsonArray sites && webSites is not null)
            {
                // The web log stage costs about 0.1 s per daily file; tests read the main site's logs only.
                foreach (var site in sites.Where(s => !webSites.Contains((string)s!["Name"]!)).ToList())
                {
                    sites.Remove(site);
                }
            }

            builder.AddJsonStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json.ToJsonString())));
        }

        builder.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Crm:Email:Drops:0"] = Path.Combine(folder, "email", "eml"),
            ["Crm:Email:Drops:1"] = Path.Combine(folder, "email", "mbox"),
            ["Crm:Email:StaffDomains:0"] = "shop.example",
        });
        await using var services = new ServiceCollection().AddLogging().AddSingleton(ds).AddCrmPipeline(builder.Build()).BuildServiceProvider();
        var context = new StageContext(Guid.NewGuid(), "manual", NullProgressSink.Instance);
        foreach (var name in new[] { "orders", "weblogs", "email", "identity" })
        {
            watch.Restart();
            var result = await services.GetServices<IPipelineStage>().Single(s => s.Name == name).RunAsync(context, CancellationToken.None);
            log($"{name}: {watch.Elapsed.TotalSeconds:F1} s, {result.Summary}");
        }

        watch.Restart();
        await ChurnWorld.PrepareAsync(ds, options, 20, sample);
        log($"features: {watch.Elapsed.TotalSeconds:F1} s");
        return folder;
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}

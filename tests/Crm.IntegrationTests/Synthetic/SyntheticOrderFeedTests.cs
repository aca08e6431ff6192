using System.IO.Compression;
using System.Text.Json;
using Crm.IntegrationTests.Infrastructure;
using Crm.Pipeline.Sources.Orders;
using Crm.Synthetic;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace Crm.IntegrationTests.Synthetic;

/// <summary>
/// The generator's order feeds load through the sample feed configs
/// (deploy/config/feeds/synthetic-*.json) with the existing order ingester: counts reconcile with
/// the files, and exactly the records the truth lists as faulty end up in quarantine.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class SyntheticOrderFeedTests(PostgresCluster cluster) : IDisposable
{
    private readonly string _out = Path.Combine(Path.GetTempPath(), "crm-synthetic-orders-" + Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public async Task GeneratedOrderFiles_LoadThroughTheSampleFeedConfigs_WithFaultsQuarantinedWhereTheTruthSays()
    {
        new SyntheticCompanyGenerator(new GeneratorOptions
        {
            Customers = 1500, Days = 70, Seed = 11, Out = _out, OrderFaultRate = 0.04, GzipShare = 0.5, Progress = false,
            QuestionsPerYear = 0, BaselineComplaintsPerYear = 0, ComplaintBeforeDropout = 0, CancellationRequestRate = 0, CampaignReach = 0,
        }).Run();

        var faults = File.ReadAllLines(Path.Combine(_out, "truth", "faults.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        var records = File.ReadAllLines(Path.Combine(_out, "truth", "records.csv")).Skip(1).Select(l => l.Split(','))
            .Select(f => (Source: f[0], Id: f[1])).ToHashSet();
        await using var dataSource = await cluster.CreateMigratedDatabaseAsync("synthetic");
        var ingester = new OrderFeedIngester(dataSource, NullLogger<OrderFeedIngester>.Instance);
        var expectedOrders = new HashSet<string>();
        var sawQuarantine = 0;
        var sawSkip = false;

        foreach (var (feedName, pattern) in new[] { ("synthetic-csv", "*.csv*"), ("synthetic-jsonl", "*.jsonl*") })
        {
            var feed = TestData.LoadFeed(feedName);
            foreach (var path in Directory.GetFiles(Path.Combine(_out, "orders"), pattern).Order(StringComparer.Ordinal))
            {
                var relative = "orders/" + Path.GetFileName(path);
                var faultLines = faults.Where(f => f[1] == relative && f[2] != "0").Select(f => long.Parse(f[2], System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
                var result = await ingester.IngestFileAsync(path, feed, null, CancellationToken.None);
                if (faults.Any(f => f[0] == "duplicate_file" && f[1] == relative))
                {
                    Assert.Equal("skipped (already loaded)", result.Outcome);
                    sawSkip = true;
                    continue;
                }

                // Expected values from the file itself: good rows (and, for JSON, their items).
                var lines = ReadLines(path);
                long goodLines = 0;
                for (var i = 0; i < lines.Count; i++)
                {
                    var lineNumber = i + 1;
                    if ((feedName == "synthetic-csv" && lineNumber == 1) || faultLines.Contains(lineNumber))
                    {
                        continue;
                    }

                    if (feedName == "synthetic-csv")
                    {
                        goodLines++;
                        expectedOrders.Add("csv:" + lines[i][..lines[i].IndexOf(',', StringComparison.Ordinal)]);
                    }
                    else
                    {
                        using var doc = JsonDocument.Parse(lines[i]);
                        goodLines += doc.RootElement.GetProperty("items").GetArrayLength();
                        expectedOrders.Add("jsonl:" + doc.RootElement.GetProperty("id").GetString());
                    }
                }

                Assert.Equal(faultLines.Count, result.Counts.Quarantined);
                Assert.Equal(goodLines, result.Counts.Loaded);
                Assert.Equal(goodLines + faultLines.Count, result.Counts.Read);
                var quarantined = await dataSource.ScalarAsync<string>(
                    $"select coalesce(string_agg(line_number::text, ',' order by line_number), '') from quarantine.record where unit_path = '{path}'");
                Assert.Equal(string.Join(',', faultLines.Order()), quarantined);
                sawQuarantine += faultLines.Count;
            }
        }

        Assert.True(sawSkip, "the file delivered twice was not found");
        Assert.True(sawQuarantine > 5, $"expected injected bad rows, found {sawQuarantine}");
        Assert.Equal(expectedOrders.Count, await dataSource.ScalarAsync<int>("select count(*) from core.\"order\""));

        // Every customer the warehouse learned of is in the truth, under its feed.
        await using var command = dataSource.CreateCommand("select source, source_customer_id from core.source_customer");
        await using var reader = await command.ExecuteReaderAsync();
        var customers = 0;
        while (await reader.ReadAsync())
        {
            customers++;
            Assert.Contains((reader.GetString(0), reader.GetString(1)), records);
        }

        Assert.True(customers > 500, $"only {customers} customers loaded");
    }

    [Fact]
    public async Task CommittedDemoSample_LoadsThroughTheDemoSettingsFragment()
    {
        var demo = Path.Combine(TestData.RepositoryRoot, "src", "Crm.Worker", "demo");
        var config = new ConfigurationBuilder()
            .AddJsonStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(
                File.ReadAllText(Path.Combine(demo, "synthetic.settings.json")).Replace("{demo}", demo, StringComparison.Ordinal))))
            .Build();
        var options = new OrdersOptions();
        config.GetSection("Crm:Orders").Bind(options);
        Assert.Equal(["synthetic-csv", "synthetic-jsonl"], options.Feeds.Select(f => f.Name));

        var truthFaults = File.ReadAllLines(Path.Combine(demo, "synthetic", "truth", "faults.csv")).Skip(1).Select(l => l.Split(','))
            .Count(f => f[1].StartsWith("orders/", StringComparison.Ordinal) && f[2] != "0");
        await using var dataSource = await cluster.CreateMigratedDatabaseAsync("synthdemo");
        var ingester = new OrderFeedIngester(dataSource, NullLogger<OrderFeedIngester>.Instance);
        long quarantined = 0, loaded = 0;
        foreach (var feed in options.Feeds)
        {
            var files = Directory.GetFiles(feed.Folder!, feed.Pattern).Order(StringComparer.Ordinal);
            foreach (var result in await ingester.IngestAsync(files, feed, null, new NullProgress(), CancellationToken.None))
            {
                Assert.Null(result.Error);
                quarantined += result.Counts.Quarantined;
                loaded += result.Counts.Loaded;
            }
        }

        Assert.Equal(truthFaults, quarantined);
        Assert.True(loaded > 500, $"only {loaded} order lines loaded");
    }

    private sealed class NullProgress : Crm.Pipeline.Jobs.IProgressSink
    {
        public void Report(double? fraction, string message)
        {
        }
    }

    private static List<string> ReadLines(string path)
    {
        using var file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
        // Latin-1 keeps invalid UTF-8 lines countable; only good lines are parsed.
        using var reader = new StreamReader(stream, System.Text.Encoding.UTF8);
        var lines = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            lines.Add(line);
        }

        return lines;
    }

    public void Dispose()
    {
        if (Directory.Exists(_out))
        {
            Directory.Delete(_out, recursive: true);
        }
    }
}

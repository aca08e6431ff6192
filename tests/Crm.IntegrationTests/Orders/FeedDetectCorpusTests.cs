using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Crm.IntegrationTests.Infrastructure;
using Crm.Pipeline.Sources.Orders;
using Npgsql;

namespace Crm.IntegrationTests.Orders;

/// <summary>
/// <c>crm feeds detect</c> on every corpus file: the proposed settings, written out as JSON and read back as
/// <c>--config</c> reads them, load the file with the figures of its hand-written feed (#17). The time zone is
/// given as a user gives it (<c>--time-zone</c>): it is the shop's, not the file's.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class FeedDetectCorpusTests(PostgresCluster cluster) : IDisposable
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static NpgsqlDataSource? _shared;
    private readonly string _dir = Directory.CreateTempSubdirectory("crm-detect-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private async Task<NpgsqlDataSource> DatabaseAsync()
    {
        await Gate.WaitAsync();
        try
        {
            return _shared ??= await cluster.CreateMigratedDatabaseAsync("detect");
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>The proposal as the command prints it, bound back as settings are.</summary>
    private OrderFeedOptions RoundTrip(OrderFeedOptions feed)
    {
        var json = JsonSerializer.Serialize(
            new { Crm = new { Orders = new { Feeds = new[] { feed } } } },
            new JsonSerializerOptions { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull });
        var path = Path.Combine(_dir, feed.Name + ".json");
        File.WriteAllText(path, json);
        return TestData.LoadFeedFrom(path, feed.Name);
    }

    [Theory]
    [MemberData(nameof(OrderExportCorpus.Files), MemberType = typeof(OrderExportCorpus))]
    public async Task CorpusFile_LoadsThroughItsDetectedFeed_WithTheFiguresOfTheFile(string file)
    {
        var c = OrderExportCorpus.Cases.Single(x => x.File == file);
        var zone = TestData.LoadFeed(c.Feed).TimeZone;

        var proposal = FeedDetector.Detect(c.Path, "detected-" + c.Feed, zone);

        Assert.Contains(proposal.Recognised, r => r.StartsWith("layout: " + c.Feed + " ", StringComparison.Ordinal));
        Assert.Empty(proposal.Quarantined);
        var feed = RoundTrip(proposal.Feed);
        await OrderExportCorpus.LoadAndAssertAsync(await DatabaseAsync(), c with { Feed = feed.Name }, feed);
    }

    [Fact]
    public async Task TheCdnowMaster_LoadsThroughItsDetectedFeed_WithTheFiguresOfTheFile()
    {
        var path = Path.Combine(TestData.PublicData, "orders", "cdnow-master.txt");
        // As in OrderExportCorpusTests: after the header, field 1 is the customer, 2 the day, 4 the dollars.
        var rows = File.ReadAllLines(path).Skip(1).Where(l => l.Trim().Length > 0)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        var revenue = rows.Sum(r => decimal.Parse(r[3], CultureInfo.InvariantCulture));

        var feed = RoundTrip(FeedDetector.Detect(path, "detected-cdnow-master", null).Feed);

        var c = new OrderExportCorpus.Case("cdnow-master.txt", feed.Name, rows.Select(r => r[0] + "-" + r[1]).Distinct().Count(), rows.Count,
            rows.Select(r => r[0]).Distinct().Count(), revenue, 0, ("00004-19970101", "1997-01-01T00:00:00Z"));
        await OrderExportCorpus.LoadAndAssertAsync(await DatabaseAsync(), c, feed);
    }
}

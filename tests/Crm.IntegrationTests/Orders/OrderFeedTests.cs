using System.IO.Compression;
using System.Text;
using Crm.IntegrationTests.Infrastructure;
using Crm.Pipeline.Sources.Orders;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Crm.IntegrationTests.Orders;

[Collection(PostgresCollection.Name)]
public sealed class OrderFeedTests(PostgresCluster cluster) : IDisposable
{
    private const string Header = "order_id,order_date,customer_id,email,quantity,unit_price,status";
    private readonly string _dir = Directory.CreateTempSubdirectory("crm-orders-").FullName;

    private static OrderFeedOptions Feed() => new()
    {
        Name = "shop",
        Format = "csv",
        Columns = new(StringComparer.OrdinalIgnoreCase)
        {
            ["order_id"] = "order_id", ["order_date"] = "order_date", ["customer_id"] = "customer_id", ["email"] = "email",
            ["quantity"] = "quantity", ["unit_price"] = "unit_price", ["status"] = "status",
        },
    };

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text, new UTF8Encoding(false));
        return path;
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task MalformedRows_AreQuarantinedWithReasons_AndCountsReconcile()
    {
        var bytes = new List<byte>();
        void Line(string s) => bytes.AddRange(Encoding.UTF8.GetBytes(s + "\n"));
        Line(Header);
        Line("o1,2026-01-05T10:00:00Z,c1,a@x.org,1,9.99,paid");
        Line("o2,2026-01-05T10:00:00Z,c1,a@x.org,lots,9.99,paid");          // bad number
        Line("o3,05/01/2026 nonsense,c1,a@x.org,1,9.99,paid");             // bad date
        Line(",2026-01-05T10:00:00Z,c1,a@x.org,1,9.99,paid");              // missing id
        Line("o4,2026-01-05T10:00:00Z,c1");                                // wrong column count
        bytes.AddRange(Encoding.UTF8.GetBytes("o5,2026-01-05T10:00:00Z,c1,"));
        bytes.AddRange(new byte[] { 0xC3, 0x28, 0xFF });                   // invalid UTF-8
        bytes.AddRange(Encoding.UTF8.GetBytes(",1,9.99,paid\n"));
        Line("o6,2026-01-05T10:00:00Z,c1," + new string('z', 10 * 1024 * 1024) + ",1,1,paid"); // a 10 MB field
        Line("o7,2026-01-06T10:00:00Z,c2,b@x.org,2,5.00,paid");
        var path = Path.Combine(_dir, "bad.csv");
        await File.WriteAllBytesAsync(path, bytes.ToArray());

        await using var dataSource = await cluster.CreateMigratedDatabaseAsync("bad");
        var result = await new OrderFeedIngester(dataSource, NullLogger<OrderFeedIngester>.Instance)
            .IngestFileAsync(path, Feed(), null, CancellationToken.None);

        Assert.Equal(8, result.Counts.Read);
        Assert.Equal(2, result.Counts.Loaded);
        Assert.Equal(6, result.Counts.Quarantined);
        Assert.True(result.Counts.Reconciles);
        var reasons = await ReasonsAsync(dataSource);
        Assert.Collection(reasons,
            r => Assert.StartsWith("3:bad quantity 'lots'", r, StringComparison.Ordinal),
            r => Assert.StartsWith("4:bad date", r, StringComparison.Ordinal),
            r => Assert.StartsWith("5:missing order id", r, StringComparison.Ordinal),
            r => Assert.StartsWith("6:wrong column count", r, StringComparison.Ordinal),
            r => Assert.StartsWith("7:invalid UTF-8", r, StringComparison.Ordinal),
            r => Assert.Matches(@"^8:record of \d+ bytes exceeds the limit", r));
        Assert.Equal(2, await dataSource.ScalarAsync<int>("select count(*) from core.\"order\""));
        Assert.Equal(result.Counts.Quarantined, await dataSource.ScalarAsync<long>("select quarantined_count from ops.ingest_ledger"));
        Assert.True(await dataSource.ScalarAsync<long>("select max(raw_length) from quarantine.record") > 10 * 1024 * 1024);
    }

    [Fact]
    public async Task TheSameFileTwice_IsSkipped_AndAGzippedCopyOfLoadedBytesAddsNothing()
    {
        var text = Header + "\no1,2026-01-05T10:00:00Z,c1,a@x.org,1,9.99,paid\no2,2026-01-06T10:00:00Z,c2,b@x.org,3,1.50,paid\n";
        var plain = Write("day1.csv", text);
        var gz = Path.Combine(_dir, "day1-again.csv.gz");
        await using (var file = File.Create(gz))
        await using (var zip = new GZipStream(file, CompressionLevel.Optimal))
        {
            await zip.WriteAsync(Encoding.UTF8.GetBytes(text));
        }

        await using var dataSource = await cluster.CreateMigratedDatabaseAsync("twice");
        var ingester = new OrderFeedIngester(dataSource, NullLogger<OrderFeedIngester>.Instance);

        var first = await ingester.IngestFileAsync(plain, Feed(), null, CancellationToken.None);
        var again = await ingester.IngestFileAsync(plain, Feed(), null, CancellationToken.None);
        var zipped = await ingester.IngestFileAsync(gz, Feed(), null, CancellationToken.None);

        Assert.Equal(2, first.Counts.Loaded);
        Assert.StartsWith("skipped", again.Outcome, StringComparison.Ordinal);
        Assert.Equal(2, zipped.Counts.Read);
        Assert.Equal(0, zipped.Counts.Loaded);
        Assert.Equal(2, zipped.Counts.Duplicate);
        Assert.Equal(2, await dataSource.ScalarAsync<int>("select count(*) from core.order_line"));
        Assert.Equal(9.99m + (3 * 1.50m), await dataSource.ScalarAsync<decimal>("select sum(total_amount) from core.\"order\""));
    }

    [Fact]
    public async Task AFileThatDoesNotFitTheMapping_FailsAlone_AndLoadsOnceFixed()
    {
        var good = Write("day1.csv", Header + "\no1,2026-01-05T10:00:00Z,c1,a@x.org,1,9.99,paid\n");
        var wrong = Write("day2.csv", "order,date,customer\no2,2026-01-06T10:00:00Z,c2\n");

        await using var dataSource = await cluster.CreateMigratedDatabaseAsync("misfit");
        var ingester = new OrderFeedIngester(dataSource, NullLogger<OrderFeedIngester>.Instance);
        var results = await ingester.IngestAsync([wrong, good], Feed(), null, Crm.Pipeline.Jobs.NullProgressSink.Instance, CancellationToken.None);

        Assert.Equal("failed", results[0].Outcome);
        Assert.Contains("order_id", results[0].Error, StringComparison.Ordinal);
        Assert.Equal(1, results[1].Counts.Loaded);
        Assert.Equal(1, await dataSource.ScalarAsync<long>("select count(*) from ops.ingest_ledger"));

        // Next delivery of the same file with the right header: nothing of the failed attempt is in the way.
        Write("day2.csv", Header + "\no2,2026-01-06T10:00:00Z,c2,b@x.org,3,1.50,paid\n");
        var retried = await ingester.IngestFileAsync(wrong, Feed(), null, CancellationToken.None);
        Assert.Equal(1, retried.Counts.Loaded);
        Assert.Equal(2, await dataSource.ScalarAsync<long>("select count(*) from core.\"order\""));
    }

    [Fact]
    public async Task JsonLines_WithManyItemsAndManyLines_LoadEveryItem()
    {
        // Line 1 holds an order of two items and line 1000 an order of one: their staging keys must not collide.
        var text = new StringBuilder();
        for (var n = 1; n <= 1200; n++)
        {
            var items = n == 1 ? """{"line":1,"sku":"A","qty":1,"price":2.5},{"line":2,"sku":"B","qty":1,"price":1.5}""" : """{"line":1,"sku":"A","qty":1,"price":2.5}""";
            text.Append("{\"id\":\"O").Append(n).Append("\",\"created_at\":\"2025-01-01T05:21:28+00:00\",\"currency\":\"EUR\",\"customer\":{\"id\":\"C").Append(n % 50)
                .Append("\"},\"items\":[").Append(items).Append("]}\n");
        }

        var path = Write("orders.jsonl", text.ToString());
        var feed = TestData.LoadFeedFrom(Path.Combine(TestData.RepositoryRoot, "src", "Crm.Worker", "demo", "synthetic.settings.json"), "synthetic-jsonl");
        await using var dataSource = await cluster.CreateMigratedDatabaseAsync("jsonl_keys");
        var result = await new OrderFeedIngester(dataSource, NullLogger<OrderFeedIngester>.Instance).IngestFileAsync(path, feed, null, CancellationToken.None);

        Assert.Equal(1201, result.Counts.Loaded);
        Assert.Equal(0, result.Counts.Quarantined);
        Assert.Equal(1200, await dataSource.ScalarAsync<long>("select count(*) from core.\"order\""));
        Assert.Equal(1201, await dataSource.ScalarAsync<long>("select count(*) from core.order_line"));
    }

    [Fact]
    public async Task AChangedFile_IsReconciledOrderByOrder_NeverDuplicated()
    {
        var path = Write("feed.csv", Header + "\no1,2026-01-05T10:00:00Z,c1,a@x.org,1,9.99,paid\no1,2026-01-05T10:00:00Z,c1,a@x.org,1,2.00,paid\no2,2026-01-06T10:00:00Z,c2,b@x.org,1,1.00,paid\n");
        await using var dataSource = await cluster.CreateMigratedDatabaseAsync("changed");
        var ingester = new OrderFeedIngester(dataSource, NullLogger<OrderFeedIngester>.Instance);
        await ingester.IngestFileAsync(path, Feed(), null, CancellationToken.None);

        // The export is rewritten: o1's second line changed quantity, o2 was cancelled, o3 is new.
        File.WriteAllText(path, Header + "\no1,2026-01-05T10:00:00Z,c1,a@x.org,1,9.99,paid\no1,2026-01-05T10:00:00Z,c1,a@x.org,3,2.00,paid\no2,2026-01-06T10:00:00Z,c2,b@x.org,1,1.00,cancelled\no3,2026-01-07T10:00:00Z,c3,c@x.org,1,4.00,paid\n");
        var second = await ingester.IngestFileAsync(path, Feed(), null, CancellationToken.None);

        Assert.Equal("reconciled", second.Outcome);
        Assert.Equal(4, second.Counts.Read);
        Assert.Equal(1, second.Counts.Duplicate); // o1's first line is unchanged
        Assert.Equal(3, second.Counts.Loaded);
        Assert.Equal(4, await dataSource.ScalarAsync<int>("select count(*) from core.order_line"));
        Assert.Equal(15.99m, await dataSource.ScalarAsync<decimal>("select total_amount from core.\"order\" where order_id = 'o1'"));
        Assert.Equal("cancelled", await dataSource.ScalarAsync<string>("select status from core.\"order\" where order_id = 'o2'"));
        Assert.Equal(0m, await dataSource.ScalarAsync<decimal>("select total_amount from core.\"order\" where order_id = 'o2'"));
    }

    [Fact]
    public async Task DemoShopFeed_LoadsThroughItsSettings_WithTheRedeliveredOrderCountedAsDuplicate()
    {
        var demo = Path.Combine(TestData.RepositoryRoot, "src", "Crm.Worker", "demo", "orders");
        var feed = TestData.LoadFeedFrom(Path.Combine(TestData.RepositoryRoot, "src", "Crm.Worker", "demo", "orders.settings.json"), "shop");
        await using var dataSource = await cluster.CreateMigratedDatabaseAsync("shop");
        var ingester = new OrderFeedIngester(dataSource, NullLogger<OrderFeedIngester>.Instance);

        var day1 = await ingester.IngestFileAsync(Path.Combine(demo, "shop-2026-11-20.csv"), feed, null, CancellationToken.None);
        var day2 = await ingester.IngestFileAsync(Path.Combine(demo, "shop-2026-11-21.csv"), feed, null, CancellationToken.None);

        // Counted from the files: 9 data rows on day 1, of which 4 are broken; 3 on day 2, one a re-delivery.
        Assert.Equal((9, 5, 4, 0), (day1.Counts.Read, day1.Counts.Loaded, day1.Counts.Quarantined, day1.Counts.Duplicate));
        Assert.Equal((3, 2, 0, 1), (day2.Counts.Read, day2.Counts.Loaded, day2.Counts.Quarantined, day2.Counts.Duplicate));
        Assert.Equal("张伟", await dataSource.ScalarAsync<string>("select customer_name from core.source_customer where source_customer_id = 'C-003'"));
        Assert.Equal(new DateTime(2026, 11, 20, 8, 14, 0, DateTimeKind.Utc),
            await dataSource.ScalarAsync<DateTime>("select order_ts from core.\"order\" where order_id = 'A-1001'"));
    }

    private static async Task<List<string>> ReasonsAsync(NpgsqlDataSource dataSource)
    {
        var list = new List<string>();
        await using var command = dataSource.CreateCommand("select line_number || ':' || reason from quarantine.record order by line_number");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            list.Add(reader.GetString(0));
        }

        return list;
    }
}

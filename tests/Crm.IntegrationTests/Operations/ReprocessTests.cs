using System.Text;
using Crm.IntegrationTests.Infrastructure;
using Crm.Pipeline.Sources;
using Crm.Pipeline.Sources.Orders;
using Microsoft.Extensions.Logging.Abstractions;

namespace Crm.IntegrationTests.Operations;

/// <summary>"Re-process after a fix" (issue 10): a feed's date format is fixed, its quarantined files are released and read again.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ReprocessTests(PostgresCluster cluster) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("crm-reprocess-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static OrderFeedOptions Feed(params string[] dateFormats) => new()
    {
        Name = "shop",
        Format = "csv",
        DateFormats = [.. dateFormats],
        Columns = new(StringComparer.OrdinalIgnoreCase)
        {
            ["order_id"] = "order_id", ["order_date"] = "order_date", ["customer_id"] = "customer_id",
            ["quantity"] = "quantity", ["unit_price"] = "unit_price", ["status"] = "status",
        },
    };

    [Fact]
    public async Task ReleasedFiles_AreReadAgain_FixedRowsLoad_AndWhatIsStillWrongIsQuarantinedAgain()
    {
        var path = Path.Combine(_dir, "shop-1.csv");
        File.WriteAllText(path, """
            order_id,order_date,customer_id,quantity,unit_price,status
            o1,2026-01-05T10:00:00Z,c1,1,9.99,paid
            o2,05.01.2026,c2,2,5.00,paid
            o3,2026-01-06T10:00:00Z,c3,lots,5.00,paid

            """, new UTF8Encoding(false));
        var other = Path.Combine(_dir, "shop-2.csv");
        File.WriteAllText(other, "order_id,order_date,customer_id,quantity,unit_price,status\no9,2026-01-07T10:00:00Z,c9,1,1.00,paid\n", new UTF8Encoding(false));
        await using var ds = await cluster.CreateMigratedDatabaseAsync("reprocess");
        var ingester = new OrderFeedIngester(ds, NullLogger<OrderFeedIngester>.Instance);
        Assert.Equal(2, (await ingester.IngestFileAsync(path, Feed(), null, CancellationToken.None)).Counts.Quarantined);
        await ingester.IngestFileAsync(other, Feed(), null, CancellationToken.None);

        // Unchanged and not released: an ingest skips it.
        Assert.StartsWith("skipped", (await ingester.IngestFileAsync(path, Feed("dd.MM.yyyy"), null, CancellationToken.None)).Outcome, StringComparison.Ordinal);

        // The dashboard's reason kind of o2's row (quoted values and numbers folded), as an admin picks it.
        var kind = await ds.ScalarAsync<string>("select regexp_replace(reason, '''[^'']*''|\\d+', '…', 'g') from quarantine.record where raw_text like 'o2,%'");
        var released = await new QuarantineReprocessor(ds).ReleaseAsync("orders", kind, "ada", CancellationToken.None);

        Assert.Equal([path], released.Units);
        Assert.Equal(2, released.QuarantineRows);
        var again = await ingester.IngestFileAsync(path, Feed("dd.MM.yyyy"), null, CancellationToken.None);
        Assert.Equal("reconciled", again.Outcome);
        Assert.Equal(new Crm.Pipeline.Sources.IngestCounts(3, 1, 1, 1), again.Counts);
        Assert.Equal("o1,o2,o9", await ds.ScalarAsync<string>("select string_agg(order_id, ',' order by order_id) from core.\"order\""));
        Assert.Equal(new DateTime(2026, 1, 5, 0, 0, 0, DateTimeKind.Utc), await ds.ScalarAsync<DateTime>("select order_ts from core.\"order\" where order_id = 'o2'"));
        Assert.Equal("o3", await ds.ScalarAsync<string>("select string_agg(split_part(raw_text, ',', 1), ',') from quarantine.record"));
        Assert.Equal(0L, await ds.ScalarAsync<long>("select count(*) from ops.ingest_ledger where read_count <> loaded_count + quarantined_count + duplicate_count and checksum is not null"));
        Assert.Equal("ada", await ds.ScalarAsync<string>("select detail ->> 'released_by' from ops.ingest_ledger where checksum is null"));

        // Nothing left of that kind: a second release does nothing; web logs cannot be released.
        Assert.Empty((await new QuarantineReprocessor(ds).ReleaseAsync("orders", kind, "ada", CancellationToken.None)).Units);
        await Assert.ThrowsAsync<ArgumentException>(() => new QuarantineReprocessor(ds).ReleaseAsync("weblogs", null, "ada", CancellationToken.None));
    }
}

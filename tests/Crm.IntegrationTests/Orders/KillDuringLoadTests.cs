using System.Globalization;
using System.Text;
using Crm.IntegrationTests.Infrastructure;
using Crm.Worker.Hosting;
using Npgsql;

namespace Crm.IntegrationTests.Orders;

/// <summary>kill -9 of a loader process mid-file, then a restart: the warehouse equals a clean single load.</summary>
[Collection(ProcessCollection.Name)]
public sealed class KillDuringLoadTests(PostgresCluster cluster) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("crm-kill-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Kill9MidFile_ThenRestart_EqualsACleanSingleLoad()
    {
        var feedFile = Path.Combine(_dir, "feed.json");
        await File.WriteAllTextAsync(feedFile, """
            {"Crm":{"Orders":{"Feeds":[{"Name":"big","Format":"csv","Columns":{"order_id":"order_id","order_date":"order_date","customer_id":"customer_id","sku":"sku","quantity":"quantity","unit_price":"unit_price"}}]}}}
            """);
        var data = Path.Combine(_dir, "big.csv");
        await using (var writer = new StreamWriter(data, false, new UTF8Encoding(false), 1 << 16))
        {
            await writer.WriteLineAsync("order_id,order_date,customer_id,sku,quantity,unit_price");
            for (var i = 0; i < 150_000; i++)
            {
                await writer.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"o{i / 3},2026-01-{1 + (i % 28):00}T10:00:00Z,c{i % 5000},sku-{i % 97},{1 + (i % 4)},{(i % 1000) / 10.0:0.00}"));
            }

            await writer.WriteLineAsync("bad,row");
        }

        var killed = await cluster.CreateMigratedConnectionStringAsync("killed");
        var clean = await cluster.CreateMigratedConnectionStringAsync("clean");
        await using var killedDb = NpgsqlDataSource.Create(killed);
        await using var cleanDb = NpgsqlDataSource.Create(clean);

        // Start a load and kill -9 it once its COPY has streamed some of the file's rows into staging.
        using (var loader = CrmProcess.Start(killed, _dir, "ingest", "orders", data, "--feed", "big", "--config", feedFile))
        {
            await Poll.UntilAtLeastAsync(
                killedDb,
                "select coalesce(max(tuples_processed), 0) from pg_stat_progress_copy where datname = current_database() and command = 'COPY FROM'",
                10_000,
                TimeSpan.FromSeconds(60),
                () => loader.HasExited,
                TimeSpan.FromMilliseconds(20));

            Assert.False(loader.HasExited, "the loader finished before it could be killed; make the file bigger");
            loader.Kill(entireProcessTree: true);
            await loader.WaitForExitAsync();
        }

        // Nothing of the interrupted unit is visible.
        Assert.Equal(0L, await killedDb.ScalarAsync<long>("select count(*) from ops.ingest_ledger"));
        Assert.Equal(0L, await killedDb.ScalarAsync<long>("select count(*) from core.order_line"));

        var (restartExit, restartOutput) = await CrmProcess.RunAsync(killed, _dir, TimeSpan.FromMinutes(3),
            "ingest", "orders", data, "--feed", "big", "--config", feedFile);
        var (cleanExit, cleanOutput) = await CrmProcess.RunAsync(clean, _dir, TimeSpan.FromMinutes(3),
            "ingest", "orders", data, "--feed", "big", "--config", feedFile);

        Assert.Equal(0, restartExit);
        Assert.Equal(0, cleanExit);
        Assert.EndsWith("read 150001, loaded 150000, quarantined 1, duplicate 0", restartOutput.Trim(), StringComparison.Ordinal);
        Assert.Equal(cleanOutput.Trim().Split('\n')[^1], restartOutput.Trim().Split('\n')[^1]);
        foreach (var query in Fingerprints)
        {
            Assert.Equal(await cleanDb.ScalarAsync<string>(query), await killedDb.ScalarAsync<string>(query));
        }
    }

    private static readonly string[] Fingerprints =
    [
        "select md5(string_agg(concat_ws('|', feed, order_id, line_key, sku, quantity, unit_price, line_total, status), ',' order by feed, order_id, line_key)) from core.order_line",
        "select md5(string_agg(concat_ws('|', feed, order_id, order_ts, source_customer_id, line_count, total_amount, status), ',' order by feed, order_id)) from core.\"order\"",
        "select md5(string_agg(concat_ws('|', source, source_customer_id, first_seen, last_seen), ',' order by source, source_customer_id)) from core.source_customer",
        "select concat_ws('|', count(*), sum(read_count), sum(loaded_count), sum(quarantined_count), sum(duplicate_count)) from ops.ingest_ledger",
        "select concat_ws('|', count(*), string_agg(reason, ',')) from quarantine.record",
    ];
}

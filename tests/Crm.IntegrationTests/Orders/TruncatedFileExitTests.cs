using System.Globalization;
using System.IO.Compression;
using System.Text;
using Crm.IntegrationTests.Infrastructure;
using Crm.Worker.Hosting;
using Npgsql;

namespace Crm.IntegrationTests.Orders;

/// <summary>
/// A file cut short in transit is a failure the caller of <c>crm ingest</c> must see in the exit code (a backfill
/// script stops on it), not only in a line on the screen; once the file is whole it loads.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class TruncatedFileExitTests(PostgresCluster cluster) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("crm-cut-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task IngestOfATruncatedGzip_ExitsOne_NamingTheFile_LoadsNothing_AndTheWholeFileLoadsAfter()
    {
        var connection = await cluster.CreateDatabaseAsync("cutgzip");
        await ServiceHost.MigrateAsync(connection, CancellationToken.None);
        await using var db = NpgsqlDataSource.Create(connection);
        var feedFile = Path.Combine(_dir, "feed.json");
        await File.WriteAllTextAsync(feedFile, """
            {"Crm":{"Orders":{"Feeds":[{"Name":"shop","Format":"csv","Columns":{"order_id":"order_id","order_date":"order_date","customer_id":"customer_id","sku":"sku","quantity":"quantity","unit_price":"unit_price"}}]}}}
            """);
        var text = new StringBuilder("order_id,order_date,customer_id,sku,quantity,unit_price\n");
        for (var i = 0; i < 20_000; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"o{i},2026-01-{1 + (i % 28):00}T10:00:00Z,c{i % 700},sku-{i % 31},1,{i % 97}.25\n");
        }

        var whole = Gzip(Encoding.UTF8.GetBytes(text.ToString()));
        var path = Path.Combine(_dir, "orders.csv.gz");
        await File.WriteAllBytesAsync(path, whole[..(whole.Length / 2)]);

        var (cutExit, cutOutput) = await CrmProcess.RunAsync(connection, _dir, TimeSpan.FromMinutes(2), "ingest", "orders", path, "--config", feedFile);
        Assert.True(cutExit == 1, cutOutput);
        Assert.Contains($"{path}: failed: truncated gzip", cutOutput, StringComparison.Ordinal);
        Assert.Equal(0L, await db.ScalarAsync<long>("select count(*) from core.order_line"));
        Assert.Equal(0L, await db.ScalarAsync<long>("select count(*) from ops.ingest_ledger"));

        await File.WriteAllBytesAsync(path, whole);
        var (exit, output) = await CrmProcess.RunAsync(connection, _dir, TimeSpan.FromMinutes(2), "ingest", "orders", path, "--config", feedFile);
        Assert.True(exit == 0, output);
        Assert.EndsWith("read 20000, loaded 20000, quarantined 0, duplicate 0", output.Trim(), StringComparison.Ordinal);
        Assert.Equal(20_000L, await db.ScalarAsync<long>("select count(*) from core.order_line"));
    }

    private static byte[] Gzip(byte[] bytes)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest))
        {
            gzip.Write(bytes);
        }

        return buffer.ToArray();
    }
}

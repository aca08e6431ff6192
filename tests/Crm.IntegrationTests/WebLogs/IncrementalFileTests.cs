using System.IO.Compression;
using System.Text;
using Crm.IntegrationTests.Infrastructure;

namespace Crm.IntegrationTests.WebLogs;

/// <summary>Files as web servers leave them: rotation, gzip, truncation, partial lines, growth, repeats.</summary>
[Collection(PostgresCollection.Name)]
public sealed class IncrementalFileTests(PostgresCluster cluster)
{
    private static readonly DateTimeOffset T0 = new(2024, 3, 10, 8, 0, 0, TimeSpan.Zero);

    private static string Lines(int from, int count, string ip = "203.0.113.7") =>
        string.Concat(Enumerable.Range(from, count).Select(i => WebLogTestKit.Line(ip, T0.AddMinutes(i), $"/page/{i}")));

    [Fact]
    public async Task RotatedAndGzippedFiles_AreReadOnce_NothingSkipped()
    {
        var dir = WebLogTestKit.TempDir();
        var live = Path.Combine(dir, "access.log");
        await using var ds = await cluster.CreateMigratedDatabaseAsync("rotate");
        var ingester = WebLogTestKit.Ingester(ds);
        var site = WebLogTestKit.Site();

        File.WriteAllText(live, Lines(0, 100));
        Assert.Equal(100, (await ingester.LoadAsync(site, live)).Loaded);

        // The server writes on, then logrotate renames (same inode) and starts a new file.
        WebLogTestKit.Append(live, Lines(100, 20));
        File.Move(live, live + ".1");
        File.WriteAllText(live, Lines(120, 30));
        var second = await ingester.LoadAsync(site, Directory.GetFiles(dir));
        Assert.Equal(50, second.Loaded);

        // Next rotation: .1 is gzipped to .2.gz, the live file becomes .1, a new live file starts.
        await using (var input = File.OpenRead(live + ".1"))
        await using (var output = new GZipStream(File.Create(live + ".2.gz"), CompressionLevel.Fastest))
        {
            await input.CopyToAsync(output);
        }

        File.Delete(live + ".1");
        WebLogTestKit.Append(live, Lines(150, 5));
        File.Move(live, live + ".1");
        File.WriteAllText(live, Lines(155, 10));
        var third = await ingester.LoadAsync(site, Directory.GetFiles(dir));
        Assert.Equal(15, third.Loaded);

        Assert.Equal(165, await ds.ScalarAsync<long>("select count(*) from core.web_event"));
        Assert.Equal(165, await ds.ScalarAsync<long>("select count(distinct path) from core.web_event"));
        Assert.Equal(0, (await ingester.LoadAsync(site, Directory.GetFiles(dir))).Read);
    }

    [Fact]
    public async Task PartialLastLine_IsHeldBackUntilComplete()
    {
        var dir = WebLogTestKit.TempDir();
        var live = Path.Combine(dir, "access.log");
        await using var ds = await cluster.CreateMigratedDatabaseAsync("partial");
        var ingester = WebLogTestKit.Ingester(ds);
        var site = WebLogTestKit.Site();
        var whole = Lines(0, 3);
        var cut = whole.Length - 25;
        File.WriteAllText(live, whole[..cut]);

        var first = await ingester.LoadAsync(site, live);
        Assert.Equal(2, first.Read);
        Assert.Equal(0, first.Quarantined);

        WebLogTestKit.Append(live, whole[cut..]);
        var second = await ingester.LoadAsync(site, live);
        Assert.Equal(1, second.Loaded);
        Assert.Equal(3, await ds.ScalarAsync<long>("select count(*) from core.web_event"));
        Assert.Equal(0, await ds.ScalarAsync<long>("select count(*) from quarantine.record"));
    }

    [Fact]
    public async Task GrowingFile_SameFileTwice_ReadsOnlyNewLines()
    {
        var dir = WebLogTestKit.TempDir();
        var live = Path.Combine(dir, "access.log");
        await using var ds = await cluster.CreateMigratedDatabaseAsync("grow");
        var ingester = WebLogTestKit.Ingester(ds);
        var site = WebLogTestKit.Site();
        File.WriteAllText(live, Lines(0, 2)); // shorter than the identity head: the key must survive growth

        Assert.Equal(2, (await ingester.LoadAsync(site, live)).Loaded);
        Assert.Equal(0, (await ingester.LoadAsync(site, live)).Read);
        WebLogTestKit.Append(live, Lines(2, 200));
        Assert.Equal(200, (await ingester.LoadAsync(site, live)).Loaded);
        Assert.Equal(0, (await ingester.LoadAsync(site, live)).Read);
        Assert.Equal(202, await ds.ScalarAsync<long>("select count(*) from core.web_event"));
        Assert.Equal(1, await ds.ScalarAsync<long>("select count(*) from ops.web_log_file"));
        Assert.Equal(new FileInfo(live).Length, await ds.ScalarAsync<long>("select byte_offset from ops.web_log_file"));
    }

    [Fact]
    public async Task TruncatedFile_CopyTruncate_NewContentIsLoaded()
    {
        var dir = WebLogTestKit.TempDir();
        var live = Path.Combine(dir, "access.log");
        await using var ds = await cluster.CreateMigratedDatabaseAsync("truncate");
        var ingester = WebLogTestKit.Ingester(ds);
        var site = WebLogTestKit.Site();
        File.WriteAllText(live, Lines(0, 50));
        Assert.Equal(50, (await ingester.LoadAsync(site, live)).Loaded);

        // copytruncate: same inode, emptied, the server writes on from byte 0.
        await using (var stream = new FileStream(live, FileMode.Open, FileAccess.Write))
        {
            stream.SetLength(0);
        }

        WebLogTestKit.Append(live, Lines(50, 7, "198.51.100.9"));
        Assert.Equal(7, (await ingester.LoadAsync(site, live)).Loaded);
        Assert.Equal(57, await ds.ScalarAsync<long>("select count(*) from core.web_event"));
    }

    [Fact]
    public async Task BigFile_IsLoadedInSeveralSegments_EachReconciled()
    {
        var dir = WebLogTestKit.TempDir();
        var live = Path.Combine(dir, "access.log.1");
        await using var ds = await cluster.CreateMigratedDatabaseAsync("segments");
        var ingester = WebLogTestKit.Ingester(ds);
        var site = WebLogTestKit.Site();
        site.SegmentBytes = 64 * 1024;
        var text = new StringBuilder();
        for (var i = 0; i < 1500; i++)
        {
            text.Append(WebLogTestKit.Line("192.0.2." + (i % 50), T0.AddSeconds(i * 7), "/p/" + i));
            if (i % 300 == 0)
            {
                text.Append("garbage line ").Append(i).Append('\n');
            }
        }

        File.WriteAllText(live, text.ToString());
        var counts = await ingester.LoadAsync(site, live);
        Assert.Equal(1500, counts.Loaded);
        Assert.Equal(5, counts.Quarantined);
        Assert.True(await ds.ScalarAsync<long>("select count(*) from ops.ingest_ledger where source = 'weblogs'") > 3);
        Assert.Equal(0, await ds.ScalarAsync<long>(
            "select count(*) from ops.ingest_ledger where source = 'weblogs' and read_count <> loaded_count + quarantined_count"));
        Assert.Equal(0, await ds.ScalarAsync<long>(
            """
            select count(*) from ops.ingest_ledger l
             where l.source = 'weblogs'
               and l.loaded_count <> (select count(*) from core.web_event e where e.ledger_id = l.ledger_id)
            """));
        Assert.Equal(new FileInfo(live).Length, await ds.ScalarAsync<long>("select max(byte_end) from ops.ingest_ledger"));
    }
}

using Crm.IntegrationTests.Infrastructure;

namespace Crm.IntegrationTests.WebLogs;

/// <summary>
/// kill -9 of <c>crm ingest weblogs</c> after some of a file's segments committed, then the same command again:
/// every hit is loaded once, and each malformed line is quarantined once under the line number it has in the file,
/// across month boundaries and the resume.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class KillDuringWebLogLoadTests(PostgresCluster cluster) : IDisposable
{
    private const int Lines = 40_000;
    private readonly string _dir = WebLogTestKit.TempDir();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Kill9AfterSomeSegments_ThenRerun_LoadsEveryHitOnceAndKeepsLineNumbers()
    {
        // 40,000 lines over three months (a month boundary ends a segment), one malformed line every 997.
        var start = new DateTimeOffset(2024, 4, 20, 0, 0, 0, TimeSpan.Zero);
        var step = TimeSpan.FromDays(80) / Lines;
        var bad = new List<int>();
        var path = Path.Combine(_dir, "access.log");
        await using (var writer = new StreamWriter(path))
        {
            for (var i = 1; i <= Lines; i++)
            {
                if (i % 997 == 0)
                {
                    bad.Add(i);
                    await writer.WriteAsync("203.0.113.7 - - [01/Foo/2024:00:00:00 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"x\"\n");
                }
                else
                {
                    await writer.WriteAsync(WebLogTestKit.Line($"198.51.{i % 200}.{i % 250}", start + (step * i), "/p" + i));
                }
            }
        }

        // Small segments, so the file lands in many commits and the kill falls between two of them.
        var config = Path.Combine(_dir, "weblogs.json");
        await File.WriteAllTextAsync(config, """{"Crm":{"WebLogs":{"Sources":[{"Name":"shop","IpPrivacy":"keep","SegmentBytes":65536}]}}}""");
        var connection = await cluster.CreateMigratedConnectionStringAsync("weblogkill");
        await using var ds = Npgsql.NpgsqlDataSource.Create(connection);

        long committedAtKill;
        using (var loader = CrmProcess.Start(connection, _dir, "--config", config, "ingest", "weblogs", path, "--site", "shop"))
        {
            committedAtKill = await Poll.UntilAtLeastAsync(
                ds, "select coalesce(max(line_count), 0) from ops.web_log_file", 1, TimeSpan.FromSeconds(120), () => loader.HasExited, TimeSpan.FromMilliseconds(20));

            Assert.False(loader.HasExited, "the load finished before a kill could land between its segments; make the file bigger");
            loader.Kill(entireProcessTree: true);
            await loader.WaitForExitAsync();
        }

        // The kill landed mid-file: some lines committed, not all.
        var afterKill = await ds.ScalarAsync<long>("select line_count from ops.web_log_file");
        Assert.InRange(afterKill, 1, Lines - 1);

        var (exit, output) = await CrmProcess.RunAsync(connection, _dir, TimeSpan.FromMinutes(3), "--config", config, "ingest", "weblogs", path, "--site", "shop");

        Assert.True(exit == 0, output);
        Assert.Equal((long)Lines, await ds.ScalarAsync<long>("select line_count from ops.web_log_file"));
        Assert.Equal((long)(Lines - bad.Count), await ds.ScalarAsync<long>("select count(*) from core.web_event"));
        Assert.Equal((long)(Lines - bad.Count), await ds.ScalarAsync<long>("select count(distinct path) from core.web_event"));
        Assert.Equal(string.Join(',', bad), await ds.ScalarAsync<string>("select string_agg(line_number::text, ',' order by line_number) from quarantine.record"));
    }
}

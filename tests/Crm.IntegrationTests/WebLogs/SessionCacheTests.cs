using System.Globalization;
using System.Text;
using Crm.IntegrationTests.Infrastructure;
using Crm.Pipeline.Sources.WebLogs;
using Npgsql;

namespace Crm.IntegrationTests.WebLogs;

/// <summary>
/// The last session of each visitor is carried from segment to segment (and file to file) within one load instead of
/// being looked up each time: what it builds must still be what the SQL rebuild makes from all stored events.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class SessionCacheTests(PostgresCluster cluster)
{
    [Fact]
    public async Task SessionsCarriedAcrossSegmentsAndFiles_WithSubMicrosecondTimes_EqualTheSqlRebuild()
    {
        // JSON logs with 100 ns timestamps (finer than the database keeps), many tiny segments over three daily files, a
        // few visitors coming back within and after the 30-minute gap, and hits a few ticks apart across segment borders.
        var random = new Random(5);
        var t0 = new DateTime(2025, 3, 10, 8, 0, 0, DateTimeKind.Utc);
        var ticks = 0L;
        string Lines(int count)
        {
            var text = new StringBuilder();
            for (var i = 0; i < count; i++)
            {
                ticks += random.Next(4) == 0 ? random.Next(1, 9) : random.Next(5) == 0 ? TimeSpan.FromMinutes(random.Next(20, 40)).Ticks : TimeSpan.FromSeconds(random.Next(1, 120)).Ticks + random.Next(10);
                var at = t0.AddTicks(ticks);
                var visitor = random.Next(6);
                var target = random.Next(4) == 0 ? "/static/app.css" : "/p/" + random.Next(20);
                text.Append(CultureInfo.InvariantCulture, $$"""{"time":"{{at:yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'}}","remote_addr":"10.2.0.{{visitor}}","method":"GET","uri":"{{target}}","status":200,"body_bytes_sent":512,"http_referer":"-","http_user_agent":"Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0","remote_user":"{{(visitor == 3 ? "U3" : "-")}}"}""").Append('\n');
            }

            return text.ToString();
        }

        await using var ds = await cluster.CreateMigratedDatabaseAsync("session_cache");
        var dir = WebLogTestKit.TempDir();
        var site = WebLogTestKit.Site();
        site.SegmentBytes = 8 * 1024;
        var files = new[] { "access.log.2", "access.log.1", "access.log" }.Select(f => Path.Combine(dir, f)).ToArray();
        foreach (var file in files)
        {
            File.WriteAllText(file, Lines(400));
        }

        var counts = await WebLogTestKit.Ingester(ds).LoadAsync(site, files);
        Assert.Equal(1200, counts.Loaded);
        Assert.True(await ds.ScalarAsync<long>("select count(*) from ops.ingest_ledger where source = 'weblogs'") > 10);

        await WebLogTestKit.AssertSqlRebuildGivesTheLoadedSessionsAsync(ds, site.Name);
    }
}

using System.Globalization;
using System.Text;
using Crm.IntegrationTests.Infrastructure;
using Crm.Pipeline.Sources.WebLogs;
using Npgsql;

namespace Crm.IntegrationTests.WebLogs;

/// <summary>
/// One load of a site at a time, across processes and nodes (#10): a load carries each visitor's last session
/// between its transactions, so a second load of the same site must wait for the first to finish.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class SiteLockTests(PostgresCluster cluster)
{
    [Fact]
    public async Task ALoad_WaitsWhileTheSiteIsLocked_AndTwoLoadsAtOnceGiveTheSessionsOfOne()
    {
        await using var ds = await cluster.CreateMigratedDatabaseAsync("site_lock");
        var dir = WebLogTestKit.TempDir();
        var site = WebLogTestKit.Site();
        site.SegmentBytes = 4 * 1024;
        // Two files whose hits interleave in time for the same visitors, so each load extends the other's sessions.
        var first = Path.Combine(dir, "a.log");
        var second = Path.Combine(dir, "b.log");
        File.WriteAllText(first, Lines(0));
        File.WriteAllText(second, Lines(1));

        // Another holder of the site's lock (another node's load): the load waits for it.
        await using (var holder = await ds.OpenConnectionAsync())
        {
            await using (var take = new NpgsqlCommand("select pg_advisory_lock(hashtextextended(@k, 0))", holder))
            {
                take.Parameters.AddWithValue("k", WebLogIngester.SiteLockKey(site.Name));
                await take.ExecuteNonQueryAsync();
            }

            var waiting = WebLogTestKit.Ingester(ds).LoadAsync(site, first);
            var blocked = await Poll.UntilAtLeastAsync(
                ds,
                "select count(*) from pg_locks where locktype = 'advisory' and not granted and database = (select oid from pg_database where datname = current_database())",
                1,
                TimeSpan.FromSeconds(30)) > 0;

            Assert.True(blocked, "the load never waited for the site's lock");
            Assert.False(waiting.IsCompleted);
            Assert.Equal(0, await ds.ScalarAsync<long>("select count(*) from ops.ingest_ledger where source = 'weblogs'"));

            await using var release = new NpgsqlCommand("select pg_advisory_unlock(hashtextextended(@k, 0))", holder);
            release.Parameters.AddWithValue("k", WebLogIngester.SiteLockKey(site.Name));
            Assert.True((bool)(await release.ExecuteScalarAsync())!);
            Assert.Equal(300, (await waiting).Loaded);
        }

        // The lock is released after a load (the next one does not wait forever), and two loads at once take turns.
        await ds.ExecuteAsync("truncate core.web_event, core.web_session, core.web_visitor_link, ops.web_log_file, ops.ingest_ledger cascade");
        var loads = await Task.WhenAll(
            WebLogTestKit.Ingester(ds).LoadAsync(site, first),
            WebLogTestKit.Ingester(ds).LoadAsync(site, second));
        Assert.Equal(600, loads.Sum(c => c.Loaded));
        Assert.Equal(0, await ds.ScalarAsync<long>("select count(*) from pg_locks where locktype = 'advisory' and database = (select oid from pg_database where datname = current_database())"));
        await WebLogTestKit.AssertSqlRebuildGivesTheLoadedSessionsAsync(ds, site.Name);
    }

    private static string Lines(int offset)
    {
        var text = new StringBuilder();
        var t0 = new DateTime(2025, 3, 10, 8, 0, 0, DateTimeKind.Utc);
        for (var i = 0; i < 300; i++)
        {
            var at = t0.AddSeconds(i * 90 + offset * 45);
            var visitor = i % 5;
            text.Append(CultureInfo.InvariantCulture,
                $$"""{"time":"{{at:yyyy-MM-dd'T'HH:mm:ss'Z'}}","remote_addr":"10.3.0.{{visitor}}","method":"GET","uri":"/p/{{i % 7}}","status":200,"body_bytes_sent":512,"http_referer":"-","http_user_agent":"Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0","remote_user":"-"}""")
                .Append('\n');
        }

        return text.ToString();
    }
}

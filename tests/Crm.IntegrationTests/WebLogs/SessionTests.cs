using System.Text;
using Crm.IntegrationTests.Infrastructure;
using Crm.Pipeline.Sources.WebLogs;
using Npgsql;

namespace Crm.IntegrationTests.WebLogs;

/// <summary>Sessions: inactivity rule, midnight, time zones, bots, links, and incremental = full.</summary>
[Collection(PostgresCollection.Name)]
public sealed class SessionTests(PostgresCluster cluster)
{
    private const string Chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
    private const string Googlebot = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";

    private static async Task<NpgsqlDataSource> LoadAsync(PostgresCluster cluster, string name, string text, WebLogSourceOptions? site = null)
    {
        var ds = await cluster.CreateMigratedDatabaseAsync(name);
        var path = Path.Combine(WebLogTestKit.TempDir(), "access.log");
        File.WriteAllText(path, text);
        await WebLogTestKit.Ingester(ds).LoadAsync(site ?? WebLogTestKit.Site(), path);
        return ds;
    }

    [Fact]
    public async Task SessionAcrossMidnight_IsOneSession_ThirtyOneMinutesSplits()
    {
        var d = new DateTimeOffset(2024, 12, 31, 23, 50, 0, TimeSpan.Zero);
        var text = WebLogTestKit.Line("192.0.2.1", d, "/a", ua: Chrome)
            + WebLogTestKit.Line("192.0.2.1", d.AddMinutes(9), "/b", ua: Chrome)
            + WebLogTestKit.Line("192.0.2.1", d.AddMinutes(20), "/c", ua: Chrome)          // 00:10 next day, next year
            + WebLogTestKit.Line("192.0.2.1", d.AddMinutes(50), "/d", ua: Chrome)          // exactly 30 min later: same session
            + WebLogTestKit.Line("192.0.2.1", d.AddMinutes(80).AddSeconds(1), "/e", ua: Chrome); // 30 min 1 s: new session
        await using var ds = await LoadAsync(cluster, "midnight", text);

        Assert.Equal(2, await ds.ScalarAsync<long>("select count(*) from core.web_session"));
        Assert.Equal("/a|/d|4", await ds.ScalarAsync<string>(
            "select landing_page || '|' || exit_page || '|' || pages from core.web_session order by session_start limit 1"));
        Assert.Equal(2, await ds.ScalarAsync<long>("select count(*) from pg_inherits where inhparent = 'core.web_event'::regclass"));
    }

    [Fact]
    public async Task HitsInDifferentTimeZones_AreOrderedByUtc()
    {
        // 10:00 +02:00 = 08:00Z and 03:20 -05:00 = 08:20Z: twenty minutes apart, one session.
        var text = WebLogTestKit.Line("192.0.2.2", new DateTimeOffset(2024, 5, 5, 10, 0, 0, TimeSpan.FromHours(2)), "/first", ua: Chrome)
            + WebLogTestKit.Line("192.0.2.2", new DateTimeOffset(2024, 5, 5, 3, 20, 0, TimeSpan.FromHours(-5)), "/second", ua: Chrome)
            // 09:00 +02:00 = 07:00Z written last: a separate, earlier session (an hour before).
            + WebLogTestKit.Line("192.0.2.2", new DateTimeOffset(2024, 5, 5, 9, 0, 0, TimeSpan.FromHours(2)), "/earlier", ua: Chrome);
        await using var ds = await LoadAsync(cluster, "zones", text);

        Assert.Equal("/earlier;/first>/second", await ds.ScalarAsync<string>(
            "select string_agg(case when landing_page = exit_page then landing_page else landing_page || '>' || exit_page end, ';' order by session_start) from core.web_session"));
        Assert.Equal(new DateTime(2024, 5, 5, 8, 0, 0, DateTimeKind.Utc), await ds.ScalarAsync<DateTime>(
            "select session_start from core.web_session where landing_page = '/first'"));
    }

    [Fact]
    public async Task Bots_AreFlaggedNotDropped_ByListAndBehaviour()
    {
        var t = new DateTimeOffset(2024, 2, 2, 9, 0, 0, TimeSpan.Zero);
        var text = new StringBuilder();
        text.Append(WebLogTestKit.Line("66.249.66.1", t, "/", ua: Googlebot));
        text.Append(WebLogTestKit.Line("66.249.66.1", t.AddSeconds(5), "/about", ua: Googlebot));
        text.Append(WebLogTestKit.Line("192.0.2.3", t, "/robots.txt", ua: Chrome));
        text.Append(WebLogTestKit.Line("192.0.2.3", t.AddSeconds(2), "/", ua: Chrome));
        for (var i = 0; i < 12; i++)
        {
            text.Append(WebLogTestKit.Line("192.0.2.4", t.AddSeconds(i * 20), "/item/" + i, ua: Chrome)); // a scraper posing as Chrome
        }

        text.Append(WebLogTestKit.Line("192.0.2.5", t, "/", ua: Chrome));
        text.Append(WebLogTestKit.Line("192.0.2.5", t.AddSeconds(1), "/site.css", ua: Chrome));
        text.Append(WebLogTestKit.Line("192.0.2.5", t.AddSeconds(1), "/logo.png", ua: Chrome));
        text.Append(WebLogTestKit.Line("192.0.2.5", t.AddMinutes(2), "/shop", ua: Chrome));
        await using var ds = await LoadAsync(cluster, "bots", text.ToString());

        Assert.Equal(20, await ds.ScalarAsync<long>("select count(*) from core.web_event"));
        Assert.Equal(2, await ds.ScalarAsync<long>("select count(*) from core.web_event where is_bot"));
        Assert.Equal("known crawler;robots.txt;no assets", await ds.ScalarAsync<string>(
            "select string_agg(bot_reason, ';' order by events, bot_reason) from core.web_session where is_bot"));
        Assert.Equal(1, await ds.ScalarAsync<long>("select count(*) from core.web_session where not is_bot"));
        Assert.Equal(2, await ds.ScalarAsync<long>("select pages from core.web_session where not is_bot"));
    }

    [Fact]
    public async Task LoginsAndTrackingTokens_LinkVisitorsToCustomers()
    {
        var t = new DateTimeOffset(2024, 4, 4, 18, 0, 0, TimeSpan.Zero);
        var token = Convert.ToBase64String(Encoding.UTF8.GetBytes("ann.lee@example.com")).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var text = WebLogTestKit.Line("192.0.2.6", t, $"/offer?utm_source=newsletter&utm_medium=email&utm_campaign=spring%20sale&crm_tid={token}", ua: Chrome)
            + WebLogTestKit.Line("192.0.2.6", t.AddMinutes(1), "/cart", ua: Chrome)
            + WebLogTestKit.Line("192.0.2.7", t, "/account", ua: Chrome, user: "C1042")
            + WebLogTestKit.Line("192.0.2.7", t.AddMinutes(3), "/checkout/complete", ua: Chrome, user: "C1042");
        var site = WebLogTestKit.Site();
        site.LoginSource = "orders:shop";
        site.ConversionPaths = ["/checkout/complete"];
        await using var ds = await LoadAsync(cluster, "links", text, site);

        Assert.Equal("email|ann.lee@example.com|tracking_token;orders:shop|C1042|login", await ds.ScalarAsync<string>(
            "select string_agg(source || '|' || source_customer_id || '|' || evidence, ';' order by source) from core.web_visitor_link"));
        Assert.Equal("spring sale|newsletter|email", await ds.ScalarAsync<string>(
            "select utm_campaign || '|' || utm_source || '|' || utm_medium from core.web_session where utm_campaign is not null"));
        Assert.True(await ds.ScalarAsync<bool>("select converted from core.web_session where user_id = 'C1042'"));
        Assert.Equal(new DateTime(2024, 4, 4, 18, 3, 0, DateTimeKind.Utc), await ds.ScalarAsync<DateTime>(
            "select last_seen from core.web_visitor_link where evidence = 'login'"));
    }

    [Fact]
    public async Task TwoIncrementalRuns_GiveTheSameWarehouseAsOneFullRun()
    {
        // 40 visitors over six hours, lines slightly out of order as servers write them.
        var random = new Random(5);
        var t0 = new DateTimeOffset(2024, 8, 31, 21, 0, 0, TimeSpan.FromHours(-3));
        var lines = new List<(DateTimeOffset At, string Line)>();
        for (var i = 0; i < 3000; i++)
        {
            var visitor = random.Next(40);
            var at = t0.AddSeconds(i * 7 + random.Next(-20, 20));
            var target = random.Next(4) == 0 ? "/static/app.css" : "/p/" + random.Next(30);
            var user = visitor % 10 == 0 ? "U" + visitor : null;
            lines.Add((at, WebLogTestKit.Line("10.0.0." + visitor, at, target, ua: Chrome, user: user)));
        }

        var full = string.Concat(lines.Select(l => l.Line));
        await using var once = await LoadAsync(cluster, "full", full);

        await using var twice = await cluster.CreateMigratedDatabaseAsync("incremental");
        var dir = WebLogTestKit.TempDir();
        var path = Path.Combine(dir, "access.log");
        var ingester = WebLogTestKit.Ingester(twice);
        File.WriteAllText(path, string.Concat(lines.Take(1234).Select(l => l.Line)) + lines[1234].Line[..40]);
        await ingester.LoadAsync(WebLogTestKit.Site(), path);
        WebLogTestKit.Append(path, lines[1234].Line[40..] + string.Concat(lines.Skip(1235).Take(900).Select(l => l.Line)));
        await ingester.LoadAsync(WebLogTestKit.Site(), path);
        WebLogTestKit.Append(path, string.Concat(lines.Skip(2135).Select(l => l.Line)));
        await ingester.LoadAsync(WebLogTestKit.Site(), path);

        const string Sessions =
            """
            select string_agg(concat_ws('|', visitor_key, session_start, session_end, session_key, events, pages, assets, landing_page,
                   exit_page, referrer, user_id, converted, is_bot, bot_reason), E'\n' order by visitor_key, session_start)
              from core.web_session
            """;
        const string Events =
            "select string_agg(concat_ws('|', event_ts, visitor_key, byte_offset, path, status), E'\\n' order by byte_offset) from core.web_event";
        Assert.Equal(3000, await twice.ScalarAsync<long>("select count(*) from core.web_event"));
        Assert.Equal(await once.ScalarAsync<string>(Events), await twice.ScalarAsync<string>(Events));
        Assert.Equal(await once.ScalarAsync<string>(Sessions), await twice.ScalarAsync<string>(Sessions));
        Assert.True(await once.ScalarAsync<long>("select count(*) from core.web_session") > 40);
        Assert.Equal(
            await once.ScalarAsync<string>("select string_agg(visitor_key || source_customer_id || first_seen || last_seen, ',' order by visitor_key) from core.web_visitor_link"),
            await twice.ScalarAsync<string>("select string_agg(visitor_key || source_customer_id || first_seen || last_seen, ',' order by visitor_key) from core.web_visitor_link"));
    }

    [Fact]
    public async Task SessionsBuiltWhileLoading_EqualTheSqlRebuildFromAllStoredEvents()
    {
        // Several small segments, visitors spread over them, some lines out of order, two files with
        // the second one partly older than the first: both the in-memory path and its SQL fallback run.
        var random = new Random(11);
        var t0 = new DateTimeOffset(2024, 10, 26, 22, 0, 0, TimeSpan.FromHours(2));
        string Lines(int from, int count)
        {
            var text = new StringBuilder();
            for (var i = from; i < from + count; i++)
            {
                var visitor = random.Next(25);
                var target = random.Next(5) == 0 ? "/static/site.js" : random.Next(30) == 0 ? "/robots.txt" : "/p/" + random.Next(40) + (random.Next(9) == 0 ? "?utm_source=news&utm_campaign=c" + random.Next(3) : "");
                text.Append(WebLogTestKit.Line("10.1.0." + visitor, t0.AddSeconds(i * 40 + random.Next(-90, 90)), target, ua: visitor % 7 == 0 ? Googlebot : Chrome,
                    user: visitor % 5 == 0 ? "U" + visitor : null, referrer: random.Next(4) == 0 ? "https://www.example.org/" : "-"));
            }

            return text.ToString();
        }

        await using var ds = await cluster.CreateMigratedDatabaseAsync("session_sql");
        var dir = WebLogTestKit.TempDir();
        var site = WebLogTestKit.Site();
        site.SegmentBytes = 64 * 1024;
        File.WriteAllText(Path.Combine(dir, "access.log.1"), Lines(0, 1500));
        File.WriteAllText(Path.Combine(dir, "access.log"), Lines(1400, 1500));
        await WebLogTestKit.Ingester(ds).LoadAsync(site, Path.Combine(dir, "access.log.1"), Path.Combine(dir, "access.log"));

        Assert.True(await ds.ScalarAsync<long>("select count(*) from ops.ingest_ledger where source = 'weblogs'") > 4);
        await WebLogTestKit.AssertSqlRebuildGivesTheLoadedSessionsAsync(ds, site.Name);
    }
}

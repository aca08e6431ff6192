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

        const string Sessions =
            """
            select string_agg(concat_ws('|', visitor_key, session_start, session_end, session_key, events, pages, assets, landing_page,
                   exit_page, referrer, utm_source, utm_medium, utm_campaign, user_id, converted, is_bot, bot_reason), E'\n' order by visitor_key, session_start)
              from core.web_session
            """;
        var loaded = await ds.ScalarAsync<string>(Sessions);

        await using var connection = await ds.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var rebuild = new NpgsqlCommand(Crm.Pipeline.Warehouse.SqlResource.Load("weblog_sessionize.sql"), connection, transaction))
        {
            var visitors = new List<string>();
            await using (var list = new NpgsqlCommand("select distinct visitor_key from core.web_event", connection, transaction))
            await using (var reader = await list.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    visitors.Add(reader.GetString(0));
                }
            }

            var options = new WebLogsOptions();
            rebuild.Parameters.AddWithValue("site", site.Name);
            rebuild.Parameters.AddWithValue("visitors", visitors.ToArray());
            rebuild.Parameters.Add(new NpgsqlParameter("first_hits", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.TimestampTz)
            {
                Value = visitors.Select(_ => new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc)).ToArray(),
            });
            rebuild.Parameters.AddWithValue("gap", TimeSpan.FromMinutes(options.SessionTimeoutMinutes));
            rebuild.Parameters.AddWithValue("bot_min_pages", options.BotMinPagesWithoutAssets);
            rebuild.Parameters.AddWithValue("bot_max_rate", (double)options.BotMaxRequestsPerMinute);
            await rebuild.ExecuteNonQueryAsync();
        }

        await using var after = new NpgsqlCommand(Sessions, connection, transaction);
        Assert.Equal(loaded, (string?)await after.ExecuteScalarAsync());
        await transaction.RollbackAsync();
    }
}

using System.Globalization;
using System.Text;
using Crm.Pipeline.Jobs;
using Crm.Pipeline.Sources;
using Crm.Pipeline.Sources.WebLogs;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Crm.IntegrationTests.WebLogs;

/// <summary>Builds ingesters and log files for the web-log tests.</summary>
internal static class WebLogTestKit
{
    public static WebLogIngester Ingester(NpgsqlDataSource dataSource, WebLogsOptions? options = null) =>
        new(dataSource, new FixedOptions<WebLogsOptions>(options ?? new WebLogsOptions()), NullLogger<WebLogIngester>.Instance);

    public static WebLogSourceOptions Site(string name = "shop") => new() { Name = name, IpPrivacy = "keep" };

    public static async Task<IngestCounts> LoadAsync(this WebLogIngester ingester, WebLogSourceOptions site, params string[] paths)
    {
        var results = await ingester.IngestAsync(paths, site, null, null, NullProgressSink.Instance, CancellationToken.None);
        foreach (var r in results)
        {
            Assert.Null(r.Error);
            Assert.True(r.Counts.Reconciles, r.ToString());
        }

        return results.Aggregate(default(IngestCounts), (a, r) => a + r.Counts);
    }

    /// <summary>
    /// Rebuilds every visitor's sessions of <paramref name="site"/> in SQL from all stored events (in a
    /// transaction rolled back afterwards) and asserts they equal the sessions the load built.
    /// </summary>
    public static async Task AssertSqlRebuildGivesTheLoadedSessionsAsync(NpgsqlDataSource ds, string site)
    {
        const string Sessions =
            """
            select string_agg(concat_ws('|', visitor_key, session_start, session_end, session_key, events, pages, assets, landing_page,
                   exit_page, referrer, utm_source, utm_medium, utm_campaign, user_id, converted, is_bot, bot_reason,
                   coalesce(product_views::text, 'null'), coalesce(carted::text, 'null')), E'\n' order by visitor_key, session_start)
              from core.web_session
            """;
        var loaded = await Infrastructure.Sql.ScalarAsync<string>(ds, Sessions);

        await using var connection = await ds.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var visitors = new List<string>();
        await using (var list = new NpgsqlCommand("select distinct visitor_key from core.web_event", connection, transaction))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                visitors.Add(reader.GetString(0));
            }
        }

        await using (var rebuild = new NpgsqlCommand(Crm.Pipeline.Warehouse.SqlResource.Load("weblog_sessionize.sql"), connection, transaction))
        {
            var options = new WebLogsOptions();
            rebuild.Parameters.AddWithValue("site", site);
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

    /// <summary>The public data sets vendored under <c>tests/data</c> (each folder's README names its origin).</summary>
    public static string SharedData() => Infrastructure.TestData.PublicData;

    public static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "crm-weblogs-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>A combined-format line, as Apache writes it.</summary>
    public static string Line(string ip, DateTimeOffset at, string target, int status = 200, string? ua = null, string? user = null, string referrer = "-") =>
        string.Create(CultureInfo.InvariantCulture,
            $"{ip} - {user ?? "-"} [{at.ToString("dd/MMM/yyyy:HH:mm:ss ", CultureInfo.InvariantCulture)}{(at.Offset < TimeSpan.Zero ? "-" : "+")}{at.Offset.Duration():hhmm}] \"GET {target} HTTP/1.1\" {status} 512 \"{referrer}\" \"{ua ?? "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"}\"\n");

    public static void Append(string path, string text) => File.AppendAllText(path, text, new UTF8Encoding(false));

    private sealed class FixedOptions<T>(T value) : IOptionsMonitor<T>
    {
        public T CurrentValue => value;

        public T Get(string? name) => value;

        public IDisposable? OnChange(Action<T, string?> listener) => null;
    }
}

using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Crm.Pipeline.Warehouse;
using Npgsql;
using NpgsqlTypes;

namespace Crm.Pipeline.Sources.WebLogs;

/// <summary>
/// Sessions of one segment, built in memory from the hits as they stream by, so a segment's
/// events are not read back from <c>core.web_event</c>. Per visitor the segment's hits are sorted
/// and cut by the inactivity rule; the visitor's last stored session is extended when the first
/// new hit falls within the gap after it. That is exactly what <c>weblog_sessionize.sql</c> would
/// rebuild whenever every new hit comes strictly after everything stored for the visitor (the
/// normal case: logs grow forward). A visitor with an older or equally old hit (out of order
/// across files or runs) goes to that SQL, which rebuilds from the stored events; either way
/// the result does not depend on how hits were split into segments and runs.
/// Memory is bounded by the segment (<see cref="WebLogSourceOptions.SegmentBytes"/>).
/// </summary>
internal sealed class WebSessionizer
{
    private const string CopySessionsSql =
        """
        copy core.web_session (site, visitor_key, session_start, session_end, session_key, events, pages, assets, landing_page,
            exit_page, referrer, utm_source, utm_medium, utm_campaign, user_id, converted, is_bot, bot_reason, product_views, carted)
        from stdin (format binary)
        """;

    private static readonly string LastSessionsSql = SqlResource.Load("weblog_last_sessions.sql");
    private static readonly string SessionizeSql = SqlResource.Load("weblog_sessionize.sql");

    private readonly Dictionary<string, int> _visitors = new(StringComparer.Ordinal);
    private readonly List<string> _visitorKeys = [];
    private readonly List<Hit> _hits = [];

    public int Count => _hits.Count;

    /// <summary>Forgets the last segment's hits, keeping the buffers.</summary>
    public void Clear()
    {
        _visitors.Clear();
        _visitorKeys.Clear();
        _hits.Clear();
    }

    public void Add(WebEventRow row)
    {
        if (!_visitors.TryGetValue(row.VisitorKey, out var visitor))
        {
            visitor = _visitorKeys.Count;
            _visitors.Add(row.VisitorKey, visitor);
            _visitorKeys.Add(row.VisitorKey);
        }

        _hits.Add(new Hit(visitor, row.EventTs.Ticks, row.ByteOffset, row.Path, row.Referrer, row.UtmSource, row.UtmMedium, row.UtmCampaign,
            row.UserId, row.IsPage, row.IsAsset, row.IsConversion, row.Agent.IsBot,
            WebEngagement.IsProductView(row.Path, row.IsPage), WebEngagement.IsCart(row.Path)));
    }

    /// <summary>Writes the sessions the segment's hits make or change, inside the segment's transaction (after its events were copied).</summary>
    /// <remarks>
    /// <paramref name="cache"/> (optional) holds, per visitor this stage run already wrote, the last session it wrote:
    /// only the visitors it does not hold are looked up in <c>core.web_session</c>. It is what the lookup would return,
    /// as long as the transactions that wrote it commit (the batch clears it otherwise).
    /// </remarks>
    public async Task WriteAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string site, WebLogsOptions options, CancellationToken cancellationToken,
        LastSessionCache? cache = null)
    {
        if (_hits.Count == 0)
        {
            return;
        }

        _hits.Sort(static (a, b) => a.Visitor != b.Visitor ? a.Visitor.CompareTo(b.Visitor)
            : a.Ticks != b.Ticks ? a.Ticks.CompareTo(b.Ticks)
            : a.ByteOffset.CompareTo(b.ByteOffset));
        var lookup = System.Diagnostics.Stopwatch.GetTimestamp();
        cache?.ForSite(site);
        var last = await LastSessionsAsync(connection, transaction, site, cache, cancellationToken).ConfigureAwait(false);
        WebLogTimings.AddSessionLookup(lookup);
        var gap = TimeSpan.FromMinutes(options.SessionTimeoutMinutes).Ticks;
        var sessions = new List<Session>(_hits.Count / 4);
        var replaced = new List<(string Visitor, DateTime Start)>();
        var fallback = new List<(string Visitor, DateTime First)>();
        var i = 0;
        while (i < _hits.Count)
        {
            var visitor = _hits[i].Visitor;
            var end = i;
            while (end < _hits.Count && _hits[end].Visitor == visitor)
            {
                end++;
            }

            var key = _visitorKeys[visitor];
            var first = _hits[i].Ticks;
            Session? current = null;
            if (last.TryGetValue(key, out var stored))
            {
                if (stored.End >= first)
                {
                    // Not strictly after what is stored: rebuild this visitor from the events.
                    fallback.Add((key, new DateTime(first, DateTimeKind.Utc)));
                    cache?.Forget(key); // rebuilt by SQL: its last session is looked up again next time
                    i = end;
                    continue;
                }

                if (first - stored.End <= gap)
                {
                    current = stored;
                    replaced.Add((key, new DateTime(stored.Start, DateTimeKind.Utc)));
                }
            }

            for (; i < end; i++)
            {
                var hit = _hits[i];
                if (current is not null && hit.Ticks - current.End > gap)
                {
                    sessions.Add(current);
                    current = null;
                }

                current ??= new Session(key, hit.Ticks, hit.Referrer);
                current.Add(hit);
            }

            sessions.Add(current!);
            cache?.Remember(key, current!.AsStored());
        }

        if (replaced.Count > 0)
        {
            await using var delete = new NpgsqlCommand(
                """
                delete from core.web_session s
                 using unnest(@visitors::text[], @starts::timestamptz[]) as r(visitor_key, session_start)
                 where s.site = @site and s.visitor_key = r.visitor_key and s.session_start = r.session_start
                """, connection, transaction);
            delete.Parameters.AddWithValue("site", site);
            delete.Parameters.AddWithValue("visitors", replaced.Select(r => r.Visitor).ToArray());
            delete.Parameters.Add(new NpgsqlParameter("starts", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = replaced.Select(r => r.Start).ToArray() });
            await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await CopyAsync(connection, site, sessions, options, cancellationToken).ConfigureAwait(false);
        if (fallback.Count > 0)
        {
            var rebuild = System.Diagnostics.Stopwatch.GetTimestamp();
            await using var command = new NpgsqlCommand(SessionizeSql, connection, transaction) { CommandTimeout = 0 };
            command.Parameters.AddWithValue("site", site);
            command.Parameters.AddWithValue("visitors", fallback.Select(f => f.Visitor).ToArray());
            command.Parameters.Add(new NpgsqlParameter("first_hits", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = fallback.Select(f => f.First).ToArray() });
            command.Parameters.AddWithValue("gap", TimeSpan.FromMinutes(options.SessionTimeoutMinutes));
            command.Parameters.AddWithValue("bot_min_pages", options.BotMinPagesWithoutAssets);
            command.Parameters.AddWithValue("bot_max_rate", (double)options.BotMaxRequestsPerMinute);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            WebLogTimings.AddFallback(rebuild, fallback.Count);
        }

        FallbackVisitors = fallback.Count;
    }

    /// <summary>Visitors of the last <see cref="WriteAsync"/> rebuilt by SQL (hits out of order).</summary>
    public int FallbackVisitors { get; private set; }

    private async Task<Dictionary<string, Session>> LastSessionsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string site, LastSessionCache? cache, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, Session>(StringComparer.Ordinal);
        var missing = _visitorKeys;
        if (cache is not null)
        {
            missing = [];
            foreach (var key in _visitorKeys)
            {
                if (cache.TryGet(key, out var known))
                {
                    if (known is not null)
                    {
                        result[key] = known;
                    }
                }
                else
                {
                    missing.Add(key);
                }
            }

            if (missing.Count == 0)
            {
                return result;
            }
        }

        await using var command = new NpgsqlCommand(LastSessionsSql, connection, transaction);
        command.Parameters.AddWithValue("site", site);
        command.Parameters.AddWithValue("visitors", missing.ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var reasons = reader.IsDBNull(14) ? "" : reader.GetString(14);
            var key = reader.GetString(0);
            result[key] = new Session(key, reader.GetDateTime(1).Ticks, Nullable(reader, 8))
            {
                End = reader.GetDateTime(2).Ticks,
                Events = reader.GetInt32(3),
                Pages = reader.GetInt32(4),
                Assets = reader.GetInt32(5),
                Landing = Nullable(reader, 6),
                Exit = Nullable(reader, 7),
                UtmSource = Nullable(reader, 9),
                UtmMedium = Nullable(reader, 10),
                UtmCampaign = Nullable(reader, 11),
                UserId = Nullable(reader, 12),
                Converted = reader.GetBoolean(13),
                KnownBot = reasons.Contains(KnownCrawler, StringComparison.Ordinal),
                Robots = reasons.Contains(RobotsTxt, StringComparison.Ordinal),
                ProductViews = reader.IsDBNull(15) ? null : reader.GetInt32(15),
                Carted = reader.IsDBNull(16) ? null : reader.GetBoolean(16),
            };
        }

        return result;
    }

    private static string? Nullable(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private const string KnownCrawler = "known crawler";
    private const string RobotsTxt = "robots.txt";

    private static async Task CopyAsync(NpgsqlConnection connection, string site, List<Session> sessions, WebLogsOptions options, CancellationToken cancellationToken)
    {
        await using var importer = await connection.BeginBinaryImportAsync(CopySessionsSql, cancellationToken).ConfigureAwait(false);
        var reasons = new StringBuilder();
        foreach (var s in sessions)
        {
            var start = new DateTime(s.Start, DateTimeKind.Utc);
            var end = new DateTime(s.End, DateTimeKind.Utc);
            reasons.Clear();
            Reason(reasons, s.KnownBot, KnownCrawler);
            Reason(reasons, s.Robots, RobotsTxt);
            Reason(reasons, s.Pages >= options.BotMinPagesWithoutAssets && s.Assets == 0, "no assets");
            Reason(reasons, s.Events >= 20 && s.Events / Math.Max((end - start).TotalSeconds / 60.0, 1.0) > options.BotMaxRequestsPerMinute, "request rate");
            importer.StartRow();
            importer.Write(site, NpgsqlDbType.Text);
            importer.Write(s.Visitor, NpgsqlDbType.Text);
            importer.Write(start, NpgsqlDbType.TimestampTz);
            importer.Write(end, NpgsqlDbType.TimestampTz);
            importer.Write(SessionKey(site, s.Visitor, start), NpgsqlDbType.Text);
            importer.Write(s.Events, NpgsqlDbType.Integer);
            importer.Write(s.Pages, NpgsqlDbType.Integer);
            importer.Write(s.Assets, NpgsqlDbType.Integer);
            importer.TextOrNull(s.Landing);
            importer.TextOrNull(s.Exit);
            importer.TextOrNull(s.Referrer);
            importer.TextOrNull(s.UtmSource);
            importer.TextOrNull(s.UtmMedium);
            importer.TextOrNull(s.UtmCampaign);
            importer.TextOrNull(s.UserId);
            importer.Write(s.Converted, NpgsqlDbType.Boolean);
            importer.Write(reasons.Length > 0, NpgsqlDbType.Boolean);
            importer.TextOrNull(reasons.Length > 0 ? reasons.ToString() : null);
            importer.ValueOrNull(s.ProductViews, NpgsqlDbType.Integer);
            importer.ValueOrNull(s.Carted, NpgsqlDbType.Boolean);
        }

        await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    private static void Reason(StringBuilder reasons, bool condition, string reason)
    {
        if (condition)
        {
            (reasons.Length > 0 ? reasons.Append(", ") : reasons).Append(reason);
        }
    }

    /// <summary>md5(site|visitor|start as YYYY-MM-DDTHH:MM:SS.ffffff UTC), as <c>weblog_sessionize.sql</c> computes it.</summary>
    internal static string SessionKey(string site, string visitor, DateTime start) =>
        Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(
            site + "|" + visitor + "|" + start.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture))));

    internal readonly record struct Hit(
        int Visitor, long Ticks, long ByteOffset, string? Path, string? Referrer, string? UtmSource, string? UtmMedium, string? UtmCampaign,
        string? UserId, bool IsPage, bool IsAsset, bool IsConversion, bool IsBot, bool IsProductView, bool IsCart);

    /// <summary>
    /// The last session written for each visitor of one site during one stage run (one <c>WebLogIngester</c> batch, across its
    /// transactions), so that each visitor's last session is looked up in <c>core.web_session</c> once per run rather than once
    /// per segment. Bounded: past <see cref="MaxVisitors"/> it starts over (the lookup then answers again). Cleared whenever
    /// what it holds may not be what is stored: a transaction rolled back, another site, or the suppression list changed.
    /// </summary>
    internal sealed class LastSessionCache
    {
        /// <summary>Visitors held at most (a few hundred bytes each).</summary>
        public const int MaxVisitors = 500_000;

        private readonly Dictionary<string, Session> _last = new(StringComparer.Ordinal);
        private string? _site;

        public int Count => _last.Count;

        public void ForSite(string site)
        {
            if (!string.Equals(_site, site, StringComparison.Ordinal))
            {
                _last.Clear();
                _site = site;
            }
        }

        /// <summary>True when the visitor's last session is known (it is then <paramref name="session"/>, never null here).</summary>
        public bool TryGet(string visitor, out Session? session)
        {
            var found = _last.TryGetValue(visitor, out var value);
            session = value;
            return found;
        }

        public void Remember(string visitor, Session session)
        {
            if (_last.Count >= MaxVisitors && !_last.ContainsKey(visitor))
            {
                _last.Clear();
            }

            _last[visitor] = session;
        }

        public void Forget(string visitor) => _last.Remove(visitor);

        public void Clear()
        {
            _last.Clear();
            _site = null;
        }
    }

    /// <summary>A session being built: the aggregate <c>weblog_sessionize.sql</c> computes, fed hit by hit in order.</summary>
    internal sealed class Session(string visitor, long start, string? referrer)
    {
        public string Visitor { get; } = visitor;

        public long Start { get; } = start;

        public string? Referrer { get; } = referrer;

        public long End { get; set; } = start;

        public int Events { get; set; }

        public int Pages { get; set; }

        public int Assets { get; set; }

        public string? Landing { get; set; }

        public string? Exit { get; set; }

        public string? UtmSource { get; set; }

        public string? UtmMedium { get; set; }

        public string? UtmCampaign { get; set; }

        public string? UserId { get; set; }

        public bool Converted { get; set; }

        public bool KnownBot { get; set; }

        public bool Robots { get; set; }

        /// <summary>Product page views (<see cref="WebEngagement"/>); null when the session was stored before they were kept, so its earlier hits are unknown.</summary>
        public int? ProductViews { get; set; } = 0;

        /// <summary>Whether a hit reached a cart or basket page; null as <see cref="ProductViews"/>.</summary>
        public bool? Carted { get; set; } = false;

        /// <summary>
        /// A copy as <c>core.web_session</c> returns it once written: its start and end at the database's microsecond
        /// precision (the binary COPY drops finer ticks), so a cached session compares with new hits as the looked-up one would.
        /// </summary>
        public Session AsStored() =>
            new(Visitor, Start - (Start % 10), Referrer)
            {
                End = End - (End % 10),
                Events = Events,
                Pages = Pages,
                Assets = Assets,
                Landing = Landing,
                Exit = Exit,
                UtmSource = UtmSource,
                UtmMedium = UtmMedium,
                UtmCampaign = UtmCampaign,
                UserId = UserId,
                Converted = Converted,
                KnownBot = KnownBot,
                Robots = Robots,
                ProductViews = ProductViews,
                Carted = Carted,
            };

        public void Add(in Hit hit)
        {
            End = hit.Ticks;
            Events++;
            if (hit.IsPage)
            {
                Pages++;
                Landing ??= hit.Path;
                Exit = hit.Path;
            }

            if (hit.IsAsset)
            {
                Assets++;
            }

            UtmSource ??= hit.UtmSource;
            UtmMedium ??= hit.UtmMedium;
            UtmCampaign ??= hit.UtmCampaign;
            UserId ??= hit.UserId;
            Converted |= hit.IsConversion;
            KnownBot |= hit.IsBot;
            Robots |= hit.Path == "/robots.txt";
            if (hit.IsProductView && ProductViews is { } views)
            {
                ProductViews = views + 1;
            }

            if (hit.IsCart && Carted is not null)
            {
                Carted = true;
            }
        }
    }
}

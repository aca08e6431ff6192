using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Unicode;
using Crm.Pipeline.Jobs;
using Crm.Pipeline.Warehouse;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Crm.Pipeline.Sources.WebLogs;

/// <summary>
/// Loads access-log files incrementally: each file is recognised across rotation and truncation
/// by its identity (<see cref="LogFileProbe"/>), read from the byte offset where the last run
/// stopped, and landed in segments (bounded by <see cref="WebLogSourceOptions.SegmentBytes"/>).
/// A segment's hits (binary COPY into <c>core.web_event</c>), its quarantined lines, the sessions
/// and visitor links it changes, the file's new offset and its ledger row commit in one
/// transaction. An incomplete last line of a live file is left for the next run.
/// </summary>
public sealed partial class WebLogIngester
{
    /// <summary>The ledger's source name for web logs.</summary>
    public const string Source = "weblogs";

    private const string CopyEventsSql =
        """
        copy core.web_event (site, event_ts, visitor_key, ledger_id, file_key, byte_offset, client_ip, user_id, method, path,
            query, status, bytes, referrer, user_agent, browser, browser_version, os, os_version, device, device_type,
            is_bot, is_page, is_asset, is_conversion, utm_source, utm_medium, utm_campaign, utm_term, utm_content, tracking_token)
        from stdin (format binary)
        """;


    private readonly NpgsqlDataSource _dataSource;
    private readonly IOptionsMonitor<WebLogsOptions> _options;
    private readonly ILogger _logger;
    private readonly WebEventPartitions _partitions;

    /// <summary>Creates an ingester writing to the warehouse behind <paramref name="dataSource"/>.</summary>
    public WebLogIngester(NpgsqlDataSource dataSource, IOptionsMonitor<WebLogsOptions> options, ILogger<WebLogIngester> logger)
    {
        _dataSource = dataSource;
        _options = options;
        _logger = logger;
        _partitions = new WebEventPartitions(dataSource);
    }

    /// <summary>
    /// Loads the given files for <paramref name="source"/>, oldest rotation first (<c>access.log.2.gz</c>
    /// before <c>access.log.1</c> before <c>access.log</c>), and returns one result per file.
    /// A file that cannot be read becomes a failed result; the others still load.
    /// </summary>
    public async Task<IReadOnlyList<UnitResult>> IngestAsync(
        IEnumerable<string> paths, WebLogSourceOptions source, string? formatOverride, Guid? runId, IProgressSink progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(progress);
        var list = RotationOrder(paths);
        var results = new List<UnitResult>(list.Count);
        ArgumentNullException.ThrowIfNull(source);
        await using var siteLock = await LockSiteAsync(source.Name, cancellationToken).ConfigureAwait(false);
        await using var batch = new Batch(_dataSource);
        for (var i = 0; i < list.Count; i++)
        {
            progress.Report((double)i / Math.Max(1, list.Count), $"weblogs: {Path.GetFileName(list[i])}");
            results.Add(await IngestFileAsync(list[i], source, formatOverride, runId, batch, cancellationToken).ConfigureAwait(false));
        }

        await batch.CommitAsync(cancellationToken).ConfigureAwait(false);
        progress.Report(1, $"weblogs: {list.Count} file(s)");
        return results;
    }

    /// <summary>
    /// Loads the campaign send logs configured in <see cref="WebLogsOptions.CampaignSends"/> (none when no
    /// folder is set), which resolve the opaque tracking tokens of clicked email links to addresses.
    /// </summary>
    public async Task<IReadOnlyList<UnitResult>> LoadCampaignSendsAsync(Guid? runId, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var results = await new CampaignSendLoader(_dataSource, _logger).LoadFolderAsync(_options.CurrentValue.CampaignSends, runId, cancellationToken).ConfigureAwait(false);
        WebLogTimings.AddSends(started);
        return results;
    }

    /// <summary>The advisory lock name one load of <paramref name="site"/> holds (released with its connection).</summary>
    internal static string SiteLockKey(string site) => "weblogs-site:" + site;

    /// <summary>
    /// One load of a site at a time, across nodes: a visitor's sessions are rebuilt from the last one stored, and a
    /// load carries each visitor's last session from transaction to transaction; another load of the same site
    /// committing in between (a manual run beside the nightly one, say) would make both wrong.
    /// </summary>
    private Task<SessionLock> LockSiteAsync(string site, CancellationToken cancellationToken) =>
        SessionLock.AcquireAsync(_dataSource, SiteLockKey(site), cancellationToken);

    /// <summary>Oldest first: higher rotation numbers, then lower, then the live file.</summary>
    internal static List<string> RotationOrder(IEnumerable<string> paths) =>
        paths.Select(Path.GetFullPath)
            .OrderBy(p => StripRotation(p, out _), StringComparer.Ordinal)
            .ThenByDescending(p => { StripRotation(p, out var n); return n; })
            .ToList();

    private static string StripRotation(string path, out int number)
    {
        number = -1;
        var name = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? path[..^3] : path;
        var dot = name.LastIndexOf('.');
        if (dot > 0 && int.TryParse(name.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            number = n;
            return name[..dot];
        }

        return name;
    }

    /// <summary>Loads what is new in one file. Infrastructure failures (database down) throw so the job can retry.</summary>
    public async Task<UnitResult> IngestFileAsync(string path, WebLogSourceOptions source, string? formatOverride, Guid? runId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        await using var siteLock = await LockSiteAsync(source.Name, cancellationToken).ConfigureAwait(false);
        await using var batch = new Batch(_dataSource);
        var result = await IngestFileAsync(path, source, formatOverride, runId, batch, cancellationToken).ConfigureAwait(false);
        await batch.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>Loads what is new in one file within <paramref name="batch"/> (which may commit on the way, and is left open for the next file).</summary>
    private async Task<UnitResult> IngestFileAsync(string path, WebLogSourceOptions source, string? formatOverride, Guid? runId, Batch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        var fullPath = Path.GetFullPath(path);
        var probeStart = Stopwatch.GetTimestamp();
        LogFileProbe probe;
        try
        {
            probe = LogFileProbe.Read(fullPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            Log.UnitUnreadable(_logger, fullPath, e.Message);
            return new UnitResult(fullPath, "failed", default, $"cannot read: {e.Message}");
        }

        if (probe.Head.Length == 0)
        {
            return new UnitResult(fullPath, "skipped (empty)", default);
        }

        var watch = Stopwatch.StartNew();
        var (connection, transaction) = await batch.OpenAsync(cancellationToken).ConfigureAwait(false);
        var state = await FileState.FindAsync(connection, transaction, source.Name, probe, cancellationToken).ConfigureAwait(false);
        if (state is not null && !probe.IsGzip && probe.StoredSize < state.ByteOffset)
        {
            Log.Truncated(_logger, fullPath, state.ByteOffset, probe.StoredSize);
            state = null; // truncated (copytruncate) and rewritten with the same first bytes: a new file
        }

        if (state is not null && (probe.IsGzip ? probe.GzipSizeMod32 == (uint)state.ByteOffset : probe.StoredSize == state.ByteOffset))
        {
            await FileState.TouchPathAsync(connection, transaction, state.FileKey, fullPath, cancellationToken).ConfigureAwait(false);
            return new UnitResult(fullPath, "skipped (no new lines)", default);
        }

        if (probe.IsGzip)
        {
            // Segments commit as they are read, and a gzip file shows it is cut short only at its end:
            // check the whole archive first, so nothing of a truncated one lands (it loads whole once complete).
            try
            {
                await SourceFile.VerifyGzipAsync(fullPath, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                Log.UnitUnreadable(_logger, fullPath, e.Message);
                return new UnitResult(fullPath, "failed", default, e.Message);
            }
        }

        state ??= await FileState.NewAsync(connection, transaction, source.Name, probe, cancellationToken).ConfigureAwait(false);
        WebLogTimings.AddProbe(probeStart);
        var total = default(IngestCounts);
        var segments = 0;
        await using (var stream = SourceFile.OpenRead(fullPath))
        {
            if (!await SkipAsync(stream, state.ByteOffset, cancellationToken).ConfigureAwait(false))
            {
                // A gzip file shorter than what we read of its identity: treat as a new file.
                Log.Truncated(_logger, fullPath, state.ByteOffset, -1);
                (connection, transaction) = await batch.OpenAsync(cancellationToken).ConfigureAwait(false);
                state = await FileState.NewAsync(connection, transaction, source.Name, probe, cancellationToken).ConfigureAwait(false);
                await using var again = SourceFile.OpenRead(fullPath);
                (total, segments) = await ReadSegmentsAsync(again, probe, state, source, formatOverride, runId, batch, cancellationToken).ConfigureAwait(false);
                return Done(fullPath, total, segments, watch);
            }

            (total, segments) = await ReadSegmentsAsync(stream, probe, state, source, formatOverride, runId, batch, cancellationToken).ConfigureAwait(false);
        }

        return Done(fullPath, total, segments, watch);
    }

    private UnitResult Done(string fullPath, IngestCounts total, int segments, Stopwatch watch)
    {
        Log.UnitLoaded(_logger, fullPath, segments, total.Read, total.Loaded, total.Quarantined, watch.ElapsedMilliseconds);
        return new UnitResult(fullPath, segments == 0 ? "skipped (no complete new lines)" : "loaded", total);
    }

    private static async Task<bool> SkipAsync(Stream stream, long offset, CancellationToken cancellationToken)
    {
        if (offset == 0)
        {
            return true;
        }

        if (stream.CanSeek)
        {
            if (stream.Length < offset)
            {
                return false;
            }

            stream.Seek(offset, SeekOrigin.Begin);
            return true;
        }

        var buffer = new byte[1 << 16];
        var left = offset;
        while (left > 0)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return false;
            }

            left -= read;
        }

        return true;
    }

    private async Task<(IngestCounts Total, int Segments)> ReadSegmentsAsync(
        Stream stream, LogFileProbe probe, FileState state, WebLogSourceOptions source, string? formatOverride, Guid? runId, Batch batch, CancellationToken cancellationToken)
    {
        var options = _options.CurrentValue;
        var parser = state.Format is { } known && formatOverride is null
            ? WebLogFormats.Create(source, known, [])
            : WebLogFormats.Create(source, formatOverride, SampleLines(probe.Head));
        parser.State = state.ParserState;
        var builder = new WebEventBuilder(source, UserAgentClassifier.Shared);
        var reader = new RecordReader(stream, source.MaxLineBytes);
        var hit = new WebHit();
        var total = default(IngestCounts);
        var segments = 0;
        var baseOffset = state.ByteOffset;
        // Lines before this read: the file's count as stored. Each segment's finish moves state.LineCount on, so the
        // line numbers below are counted from this copy, not from state (that added the count twice after a segment).
        var baseLines = state.LineCount;
        long segmentStart = 0; // relative to baseOffset
        long consumed = 0;      // relative end of the last line taken
        long linesConsumed = 0;
        SegmentWriter? segment = null;
        var sessions = new WebSessionizer(); // reused segment after segment: its buffers stay allocated once
        try
        {
            var parseStart = Stopwatch.GetTimestamp();
            while (reader.TryRead(out var record))
            {
                if (reader.Unterminated && !probe.IsFinal)
                {
                    break; // the server is still writing this line; take it next run
                }

                if ((reader.LineNumber & 0x3FFF) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                var offset = baseOffset + reader.RecordOffset;
                var kind = Take(record, reader, parser, builder, hit, offset, source.MaxLineBytes, out var row, out var reason);
                // The raw line keeps the client address: it follows the site's privacy mode like core.web_event does.
                var bad = kind == LineKind.Malformed
                    ? QuarantineRow.FromBytes(baseLines + reader.LineNumber, offset, reason!, record, reader.RecordLength) is var q
                        ? q with { RawText = builder.RedactIps(q.RawText) } : null
                    : null;
                if (row is not null && !_partitions.IsKnown(row.EventTs))
                {
                    // A month without its partition: the open COPY cannot route it, so end the segment
                    // before this line, commit the batch and create the partition outside any transaction of ours.
                    WebLogTimings.AddParse(parseStart);
                    if (segment is not null)
                    {
                        total += await segment.FinishAsync(baseOffset + consumed, baseLines + linesConsumed, cancellationToken).ConfigureAwait(false);
                        await segment.DisposeAsync().ConfigureAwait(false);
                        segment = null;
                        segments++;
                        batch.Added(consumed - segmentStart, source.SegmentBytes);
                        segmentStart = consumed;
                    }

                    await batch.CommitAsync(cancellationToken).ConfigureAwait(false);
                    await _partitions.EnsureAsync([row.EventTs.Year * 100 + row.EventTs.Month], cancellationToken).ConfigureAwait(false);
                    parseStart = Stopwatch.GetTimestamp();
                }

                if (kind != LineKind.Directive)
                {
                    segment ??= await SegmentWriter.OpenAsync(batch, state, source, parser, baseOffset + segmentStart, probe.Path, options, sessions, runId, cancellationToken).ConfigureAwait(false);
                    if (row is not null)
                    {
                        segment.Add(row);
                    }
                    else
                    {
                        segment.Quarantine.Add(bad!);
                    }
                }

                consumed = reader.Unterminated ? reader.RecordOffset + reader.RecordLength : reader.CommittedOffset;
                linesConsumed = reader.LineNumber;
                if (consumed - segmentStart >= source.SegmentBytes)
                {
                    WebLogTimings.AddParse(parseStart);
                    segment ??= await SegmentWriter.OpenAsync(batch, state, source, parser, baseOffset + segmentStart, probe.Path, options, sessions, runId, cancellationToken).ConfigureAwait(false);
                    total += await segment.FinishAsync(baseOffset + consumed, baseLines + linesConsumed, cancellationToken).ConfigureAwait(false);
                    await segment.DisposeAsync().ConfigureAwait(false);
                    segment = null;
                    segments++;
                    if (batch.Added(consumed - segmentStart, source.SegmentBytes))
                    {
                        await batch.CommitAsync(cancellationToken).ConfigureAwait(false);
                    }

                    segmentStart = consumed;
                    parseStart = Stopwatch.GetTimestamp();
                }
            }

            WebLogTimings.AddParse(parseStart);
            if (consumed > segmentStart)
            {
                // Also when only directives or blank lines are left: the offset and the parser state move on.
                segment ??= await SegmentWriter.OpenAsync(batch, state, source, parser, baseOffset + segmentStart, probe.Path, options, sessions, runId, cancellationToken).ConfigureAwait(false);
                total += await segment.FinishAsync(baseOffset + consumed, baseLines + linesConsumed, cancellationToken).ConfigureAwait(false);
                await segment.DisposeAsync().ConfigureAwait(false);
                segment = null;
                segments++;
                if (batch.Added(consumed - segmentStart, source.SegmentBytes))
                {
                    await batch.CommitAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            if (segment is not null)
            {
                await segment.DisposeAsync().ConfigureAwait(false); // unfinished: the batch rolls back
            }
        }

        return (total, segments);
    }

    /// <summary>
    /// Classifies one line: a hit (<paramref name="row"/> built), a malformed line (<paramref name="reason"/>),
    /// or nothing to record (<see cref="LineKind.Directive"/>: blank, a format's header).
    /// </summary>
    private static LineKind Take(
        ReadOnlySpan<byte> record, RecordReader reader, IWebLogLineParser parser, WebEventBuilder builder, WebHit hit,
        long offset, int maxLineBytes, out WebEventRow? row, out string? reason)
    {
        row = null;
        reason = null;
        // A UTF-8 byte order mark starts a file saved by some editors and each member of gzip files joined with cat;
        // it is no part of the first field (the client address would become "\uFEFF10.0.0.1").
        record = WithoutBom(record);
        if (record.Trim(" \t\r"u8).IsEmpty && !reader.Oversized)
        {
            return LineKind.Directive;
        }

        if (reader.Oversized)
        {
            reason = $"line of {reader.RecordLength} bytes exceeds the limit of {maxLineBytes}";
            return LineKind.Malformed;
        }

        if (!Utf8.IsValid(record))
        {
            reason = "invalid UTF-8 (binary data)";
            return LineKind.Malformed;
        }

        if (record.IndexOfAnyInRange((byte)0, (byte)8) >= 0 || record.IndexOfAnyInRange((byte)10, (byte)31) >= 0)
        {
            reason = "control characters (binary data)";
            return LineKind.Malformed;
        }

        var kind = parser.Parse(record, hit, out reason);
        if (kind == LineKind.Hit)
        {
            row = builder.Build(record, hit, offset);
        }

        return kind;
    }


    /// <summary><paramref name="line"/> without the UTF-8 byte order mark it may start with.</summary>
    internal static ReadOnlySpan<byte> WithoutBom(ReadOnlySpan<byte> line) =>
        line.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? line[3..] : line;

    private static List<byte[]> SampleLines(byte[] head)
    {
        var lines = new List<byte[]>();
        foreach (var range in head.AsSpan().Split((byte)'\n'))
        {
            if (range.End.Value >= head.Length && head[^1] != '\n')
            {
                break; // cut off by the head's end
            }

            lines.Add(WithoutBom(head.AsSpan(range)).TrimEnd((byte)'\r').ToArray());
            if (lines.Count == 50)
            {
                break;
            }
        }

        return lines;
    }

    /// <summary>
    /// Binary COPY of rows into <c>core.web_event</c>, or straight into one of its partitions when <paramref name="partition"/>
    /// names it (the benchmark's baselines; the ingester streams rows with <see cref="WriteEvent"/>).
    /// </summary>
    internal static async Task CopyEventsAsync(
        NpgsqlConnection connection, string site, string fileKey, long ledgerId, List<WebEventRow> rows, CancellationToken cancellationToken,
        string? partition = null)
    {
        var sql = partition is null ? CopyEventsSql : CopyEventsSql.Replace("copy core.web_event (", $"copy core.{partition} (", StringComparison.Ordinal);
        await using var importer = await connection.BeginBinaryImportAsync(sql, cancellationToken).ConfigureAwait(false);
        // The synchronous writer only touches the socket when its buffer fills; per-value awaits would dominate.
        for (var i = 0; i < rows.Count; i++)
        {
            WriteEvent(importer, site, fileKey, ledgerId, rows[i]);
        }

        await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One row of the events COPY (<see cref="CopyEventsSql"/>), written synchronously into the importer's buffer.</summary>
    internal static void WriteEvent(NpgsqlBinaryImporter importer, string site, string fileKey, long ledgerId, WebEventRow r)
    {
        importer.StartRow();
        importer.Write(site, NpgsqlDbType.Text);
        importer.Write(r.EventTs, NpgsqlDbType.TimestampTz);
        importer.Write(r.VisitorKey, NpgsqlDbType.Text);
        importer.Write(ledgerId, NpgsqlDbType.Bigint);
        importer.Write(fileKey, NpgsqlDbType.Text);
        importer.Write(r.ByteOffset, NpgsqlDbType.Bigint);
        importer.TextOrNull(r.ClientIp);
        importer.TextOrNull(r.UserId);
        importer.TextOrNull(r.Method);
        importer.TextOrNull(r.Path);
        importer.TextOrNull(r.Query);
        importer.Write(r.Status, NpgsqlDbType.Smallint);
        importer.ValueOrNull(r.Bytes, NpgsqlDbType.Bigint);

        importer.TextOrNull(r.Referrer);
        importer.TextOrNull(r.UserAgent);
        importer.Write(r.Agent.Browser, NpgsqlDbType.Text);
        importer.TextOrNull(r.Agent.BrowserVersion);
        importer.Write(r.Agent.Os, NpgsqlDbType.Text);
        importer.TextOrNull(r.Agent.OsVersion);
        importer.Write(r.Agent.Device, NpgsqlDbType.Text);
        importer.Write(r.Agent.DeviceType, NpgsqlDbType.Text);
        importer.Write(r.Agent.IsBot, NpgsqlDbType.Boolean);
        importer.Write(r.IsPage, NpgsqlDbType.Boolean);
        importer.Write(r.IsAsset, NpgsqlDbType.Boolean);
        importer.Write(r.IsConversion, NpgsqlDbType.Boolean);
        importer.TextOrNull(r.UtmSource);
        importer.TextOrNull(r.UtmMedium);
        importer.TextOrNull(r.UtmCampaign);
        importer.TextOrNull(r.UtmTerm);
        importer.TextOrNull(r.UtmContent);
        importer.TextOrNull(r.TrackingToken);
    }

    private static void Widen(
        Dictionary<(string, string, string), (string Evidence, DateTime First, DateTime Last)> links, (string, string, string) key, string evidence, DateTime ts)
    {
        links[key] = links.TryGetValue(key, out var v)
            ? (v.Evidence, ts < v.First ? ts : v.First, ts > v.Last ? ts : v.Last)
            : (evidence, ts, ts);
    }

    /// <summary>What one segment brings: its rows, quarantined lines, months and each visitor's earliest hit.</summary>

    private static partial class Log
    {
        [LoggerMessage(EventId = 1501, Level = LogLevel.Information, Message = "Loaded web log {SourceUnit} in {Segments} segment(s): read {Read}, loaded {Loaded}, quarantined {Quarantined} in {ElapsedMs} ms")]
        public static partial void UnitLoaded(ILogger logger, string sourceUnit, int segments, long read, long loaded, long quarantined, long elapsedMs);

        [LoggerMessage(EventId = 1502, Level = LogLevel.Warning, Message = "Cannot read web log {SourceUnit}: {Reason}")]
        public static partial void UnitUnreadable(ILogger logger, string sourceUnit, string reason);

        [LoggerMessage(EventId = 1503, Level = LogLevel.Warning, Message = "Web log {SourceUnit} is shorter ({Size} bytes) than the {Offset} bytes read before: truncated, reading it as a new file")]
        public static partial void Truncated(ILogger logger, string sourceUnit, long offset, long size);
    }
}

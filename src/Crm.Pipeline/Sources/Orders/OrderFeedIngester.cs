using System.Diagnostics;
using System.Text;
using System.Text.Unicode;
using Crm.Pipeline.Jobs;
using Crm.Pipeline.Privacy;
using Crm.Pipeline.Warehouse;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Crm.Pipeline.Sources.Orders;

/// <summary>
/// Loads order-feed files: streaming parse, binary COPY into <c>staging.order_line</c>, then a
/// set-based merge into <c>core</c>, all in one transaction with the file's ledger row. A file
/// whose bytes were loaded before is skipped; a changed file is reconciled order by order.
/// </summary>
public sealed partial class OrderFeedIngester
{
    /// <summary>The ledger's source name for order feeds.</summary>
    public const string Source = "orders";

    private const long ItemsPerRecordLimit = 100_000;
    internal static readonly string MergeSql = SqlResource.Load("merge_order_unit.sql");
    private static readonly string SuppressSql = SqlResource.Load("suppress_order_unit.sql");
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    private readonly NpgsqlDataSource _dataSource;
    private readonly ILogger _logger;

    /// <summary>Creates an ingester writing to the warehouse behind <paramref name="dataSource"/>.</summary>
    public OrderFeedIngester(NpgsqlDataSource dataSource, ILogger<OrderFeedIngester> logger)
    {
        _dataSource = dataSource;
        _logger = logger;
    }

    /// <summary>
    /// Loads the given files through <paramref name="feed"/>, one transaction per file, and returns
    /// one result per file. A file that cannot be read becomes a failed result; the others still load.
    /// </summary>
    public async Task<IReadOnlyList<UnitResult>> IngestAsync(
        IEnumerable<string> paths, OrderFeedOptions feed, Guid? runId, IProgressSink progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(progress);
        var list = paths.ToList();
        var results = new List<UnitResult>(list.Count);
        for (var i = 0; i < list.Count; i++)
        {
            progress.Report((double)i / Math.Max(1, list.Count), $"orders: {Path.GetFileName(list[i])}");
            results.Add(await IngestFileAsync(list[i], feed, runId, cancellationToken).ConfigureAwait(false));
        }

        progress.Report(1, $"orders: {list.Count} file(s)");
        return results;
    }

    /// <summary>Loads one file. Infrastructure failures (database down) throw so the job can retry.</summary>
    public async Task<UnitResult> IngestFileAsync(string path, OrderFeedOptions feed, Guid? runId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(feed);
        var fullPath = Path.GetFullPath(path);
        var settingProblems = new List<string>();
        OrderFeedParsingSettings.Check(feed, $"feed '{feed.Name}' ", settingProblems);
        if (settingProblems.Count > 0)
        {
            // Checked at start too; a one-off load (crm ingest orders --config) reaches here first.
            var message = string.Join(" ", settingProblems);
            Log.UnitUnreadable(_logger, fullPath, message);
            return new UnitResult(fullPath, "failed", default, message);
        }

        string sha;
        long size;
        try
        {
            (sha, size) = await SourceFile.FingerprintAsync(fullPath, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.UnitUnreadable(_logger, fullPath, e.Message);
            return new UnitResult(fullPath, "failed", default, $"cannot read: {e.Message}");
        }

        var unitKeyPrefix = $"{feed.Name}:";
        var unitKey = unitKeyPrefix + fullPath;
        var watch = Stopwatch.StartNew();
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await Ledger.LockAsync(connection, transaction, "orders:" + feed.Name, cancellationToken).ConfigureAwait(false);
        if (await Ledger.FindAsync(connection, transaction, Source, unitKeyPrefix, sha, cancellationToken).ConfigureAwait(false) is { } earlier)
        {
            Log.UnitSkipped(_logger, fullPath, earlier);
            return new UnitResult(fullPath, "skipped (already loaded)", default);
        }

        var reconciles = await IsKnownPathAsync(connection, transaction, unitKey, cancellationToken).ConfigureAwait(false);
        var ledgerId = await Ledger.OpenAsync(connection, transaction, Source, unitKey, fullPath, sha, 0, size, runId, cancellationToken).ConfigureAwait(false);

        var quarantine = new List<QuarantineRow>();
        var orderIds = new HashSet<string>(StringComparer.Ordinal);
        long staged;
        var facts = new LandFacts { ArrivedUtc = File.GetLastWriteTimeUtc(fullPath) };
        try
        {
            await using var stream = SourceFile.OpenRead(fullPath);
            staged = await LandAsync(connection, stream, feed, feed.FormatFor(fullPath), ledgerId, quarantine, orderIds, cancellationToken, facts).ConfigureAwait(false);
        }
        catch (InvalidDataException e)
        {
            // The file does not fit the feed's mapping (a header without a mapped column) or is not
            // text: nothing of it is kept, the other files still load, and the file is tried again
            // next run (after the mapping or the file is fixed). The stage summary counts it as failed.
            await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
            Log.UnitUnreadable(_logger, fullPath, e.Message);
            return new UnitResult(fullPath, "failed", default, e.Message);
        }

        await Suppression.LockSharedAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        if (await Suppression.LoadAsync(connection, transaction, cancellationToken).ConfigureAwait(false) is { } suppression)
        {
            var perRecord = feed.FormatFor(fullPath) == "jsonl" ? ItemsPerRecordLimit : 1;
            await SuppressAsync(connection, transaction, suppression, "orders:" + feed.Name, ledgerId, perRecord, quarantine, cancellationToken).ConfigureAwait(false);
        }

        if (quarantine.Count > 0)
        {
            await QuarantineWriter.WriteAsync(connection, Source, ledgerId, fullPath, quarantine, cancellationToken).ConfigureAwait(false);
        }

        long loaded, removed;
        // The merge sorts the unit four ways (lines by key, headers, customers); with the default 4 MB
        // each sort of a large file spilled to disk (external merge, 20-56 MB each at 300,000 lines).
        await using (var memory = new NpgsqlCommand("set local work_mem = '256MB'", connection, transaction))
        {
            await memory.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var merge = new NpgsqlCommand(MergeSql, connection, transaction))
        {
            merge.CommandTimeout = 0;
            merge.Parameters.AddWithValue("ledger_id", ledgerId);
            merge.Parameters.AddWithValue("feed", feed.Name);
            merge.Parameters.Add(new NpgsqlParameter("orders", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = orderIds.ToArray() });
            await using var reader = await merge.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new InvalidOperationException("The order merge returned no counts.");
            }

            staged = reader.GetInt64(0);
            loaded = reader.GetInt64(1);
            removed = reader.GetInt64(2);
        }

        var counts = new IngestCounts(staged + quarantine.Count, loaded, quarantine.Count, staged - loaded);
        string? warning = null;
        if (facts.Records == 0)
        {
            warning = facts.SawHeader
                ? "the file has a header line and no order rows"
                : "the file is empty: no order rows";
        }

        await Ledger.CloseAsync(connection, transaction, ledgerId, counts,
            new { feed = feed.Name, size, removed_lines = removed, reconciled = reconciles, encoding = facts.EncodingName, warning }, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        Log.UnitLoaded(_logger, fullPath, counts.Read, counts.Loaded, counts.Quarantined, counts.Duplicate, watch.ElapsedMilliseconds);
        if (warning is not null)
        {
            Log.UnitEmpty(_logger, fullPath, warning);
        }

        return new UnitResult(fullPath, reconciles ? "reconciled" : "loaded", counts) { Warning = warning };
    }

    /// <summary>
    /// Forgotten people stay forgotten: their staged lines become 'suppressed' quarantine rows without
    /// raw text (read = loaded + quarantined + duplicate still holds), and rejected lines that mention
    /// them lose their raw text.
    /// </summary>
    private static async Task SuppressAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Suppression suppression, string customerSource, long ledgerId,
        long keysPerLine, List<QuarantineRow> quarantine, CancellationToken cancellationToken)
    {
        for (var i = 0; i < quarantine.Count; i++)
        {
            if (suppression.Mentions(quarantine[i].RawText, customerSource))
            {
                quarantine[i] = quarantine[i].Suppressed();
            }
        }

        await using var command = new NpgsqlCommand(SuppressSql, connection, transaction) { CommandTimeout = 0 };
        command.Parameters.AddWithValue("ledger_id", ledgerId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            // One row per staged line item, at its line in the file.
            quarantine.Add(new QuarantineRow(reader.GetInt64(0) / keysPerLine, null, Suppression.Reason, "", 0));
        }
    }

    private static async Task<bool> IsKnownPathAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string unitKey, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("select exists (select 1 from ops.ingest_ledger where source = @s and unit_key = @k)", connection, transaction);
        command.Parameters.AddWithValue("s", Source);
        command.Parameters.AddWithValue("k", unitKey);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>
    /// Parses the stream and copies its good lines into staging; rejected records go to
    /// <paramref name="quarantine"/> and the order ids of the staged lines to <paramref name="orderIds"/>
    /// when given. Returns the number of lines staged.
    /// </summary>
    internal static async Task<long> LandAsync(
        NpgsqlConnection connection, Stream stream, OrderFeedOptions feed, string format, long ledgerId,
        List<QuarantineRow> quarantine, HashSet<string>? orderIds, CancellationToken cancellationToken, LandFacts? facts = null)
    {
        facts ??= new LandFacts();
        var parser = new OrderRowParser(feed, format, facts.ArrivedUtc);
        await using var text = FeedText.OpenUtf8(stream, feed.Encoding, out var encodingName);
        facts.EncodingName = encodingName;
        var reader = new RecordReader(text, feed.MaxRecordBytes, quoteAware: format is "csv" or "tsv");
        var lines = new List<OrderLine>(8);
        // A JSON record holds an order with its items: the staging key is line × limit + item, for
        // every record of the file (mixing plain line numbers in would collide with those keys).
        var itemsPerRecord = format == "jsonl";
        long staged = 0;
        long lineNumber = 0;
        await using var importer = await connection.BeginBinaryImportAsync(
            """
            copy staging.order_line (ledger_id, line_number, feed, order_id, line_ref, order_ts, source_customer_id, email,
                customer_name, phone, address, postcode, country, sku, description, quantity, unit_price, line_total,
                currency, status) from stdin (format binary)
            """, cancellationToken).ConfigureAwait(false);

        // The loop writes with the importer's synchronous API: it only touches the socket when
        // its buffer is full, and per-value awaits would dominate the cost of a row.
        while (reader.TryRead(out var record))
        {
            if ((++lineNumber & 0x3FFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            if (record.Trim(" \t\r"u8).IsEmpty)
            {
                continue;
            }

            if (reader.Oversized)
            {
                quarantine.Add(QuarantineRow.FromBytes(reader.LineNumber, reader.RecordOffset,
                    $"record of {reader.RecordLength} bytes exceeds the limit of {feed.MaxRecordBytes}", record, reader.RecordLength));
                continue;
            }

            if (!Utf8.IsValid(record))
            {
                var valid = ValidPrefixLength(record);
                if (parser.NeedsHeader)
                {
                    throw new InvalidDataException(
                        $"Feed '{feed.Name}': the header line is not UTF-8 (invalid byte at offset {reader.RecordOffset + valid}); set the feed's Encoding to the file's encoding (e.g. windows-1252 or iso-8859-1).");
                }

                facts.Records++;

                quarantine.Add(QuarantineRow.FromBytes(reader.LineNumber, reader.RecordOffset,
                    $"invalid UTF-8 at byte {reader.RecordOffset + valid} (if the file is not UTF-8, set the feed's Encoding, e.g. windows-1252)", record, record.Length));
                continue;
            }

            var recordText = StrictUtf8.GetString(record);
            if (parser.NeedsHeader)
            {
                if (parser.SetHeader(recordText) is { } headerError)
                {
                    throw new InvalidDataException($"Feed '{feed.Name}': {headerError}. Fix the feed's Columns mapping.");
                }

                facts.SawHeader = true;
                continue;
            }

            facts.Records++;
            lines.Clear();
            var reason = parser.Parse(recordText, lines)
                ?? (lines.Count > ItemsPerRecordLimit ? $"{lines.Count} items in one record; at most {ItemsPerRecordLimit} are supported" : null);
            if (reason is not null)
            {
                quarantine.Add(QuarantineRow.FromBytes(reader.LineNumber, reader.RecordOffset, reason, record, record.Length));
                continue;
            }

            for (var i = 0; i < lines.Count; i++)
            {
                var line = lines[i];
                orderIds?.Add(line.OrderId);
                importer.StartRow();
                importer.Write(ledgerId, NpgsqlDbType.Bigint);
                importer.Write(itemsPerRecord ? (reader.LineNumber * ItemsPerRecordLimit) + i : reader.LineNumber, NpgsqlDbType.Bigint);
                importer.Write(feed.Name, NpgsqlDbType.Text);
                importer.Write(line.OrderId, NpgsqlDbType.Text);
                importer.TextOrNull(line.LineRef);
                importer.Write(line.OrderTsUtc, NpgsqlDbType.TimestampTz);
                importer.TextOrNull(line.CustomerId);
                importer.TextOrNull(line.Email);
                importer.TextOrNull(line.Name);
                importer.TextOrNull(line.Phone);
                importer.TextOrNull(line.Address);
                importer.TextOrNull(line.Postcode);
                importer.TextOrNull(line.Country);
                importer.TextOrNull(line.Sku);
                importer.TextOrNull(line.Description);
                importer.Write(line.Quantity, NpgsqlDbType.Numeric);
                importer.ValueOrNull(line.UnitPrice, NpgsqlDbType.Numeric);

                importer.Write(line.LineTotal, NpgsqlDbType.Numeric);
                importer.Write(line.Currency, NpgsqlDbType.Text);
                importer.Write(line.Status, NpgsqlDbType.Text);
                staged++;
            }
        }

        await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        return staged;
    }

    private static int ValidPrefixLength(ReadOnlySpan<byte> bytes)
    {
        // Find the first byte where decoding fails, for a precise reason.
        var status = System.Text.Unicode.Utf8.ToUtf16(bytes, new char[bytes.Length], out var read, out _, replaceInvalidSequences: false);
        return status == System.Buffers.OperationStatus.Done ? bytes.Length : read;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Loaded order file {SourceUnit}: read {Read}, loaded {Loaded}, quarantined {Quarantined}, duplicate {Duplicate} in {ElapsedMs} ms")]
        public static partial void UnitLoaded(ILogger logger, string sourceUnit, long read, long loaded, long quarantined, long duplicate, long elapsedMs);

        [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "Skipped order file {SourceUnit}: its bytes were loaded before (ledger {LedgerId})")]
        public static partial void UnitSkipped(ILogger logger, string sourceUnit, long ledgerId);

        [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "Cannot read order file {SourceUnit}: {Reason}")]
        public static partial void UnitUnreadable(ILogger logger, string sourceUnit, string reason);

        [LoggerMessage(EventId = 1104, Level = LogLevel.Warning, Message = "Order file {SourceUnit} held no orders: {Reason}")]
        public static partial void UnitEmpty(ILogger logger, string sourceUnit, string reason);
    }
}

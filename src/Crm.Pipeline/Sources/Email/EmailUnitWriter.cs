using System.Diagnostics;
using System.Text.Json;
using Crm.Pipeline.Privacy;
using Crm.Pipeline.Warehouse;
using Npgsql;
using NpgsqlTypes;

namespace Crm.Pipeline.Sources.Email;

/// <summary>A ledger unit to open: a file (with its checksum and byte range) or an IMAP folder's UID range.</summary>
internal sealed record EmailUnit(string UnitKey, string UnitPath, string? Checksum, long? ByteStart, long? ByteEnd);

/// <summary>
/// Ledger units of email (a file, an IMAP folder's UID range, or a batch of single-message files,
/// each still its own ledger unit) being written in ONE transaction: their ledger rows, their
/// messages streamed by binary COPY into a scratch table, their quarantine rows, then one
/// set-based merge into <c>core.email</c>, <c>core.email_thread</c> and <c>core.source_customer</c>.
/// Dispose without <see cref="CommitAsync"/> or <see cref="CommitBatchAsync"/> rolls everything
/// back, so a crash mid-batch leaves no unit half-loaded: the whole batch is redone.
/// </summary>
internal sealed class EmailUnitWriter : IEmailSink, IAsyncDisposable
{
    /// <summary>The ledger's source name.</summary>
    public const string Source = "email";

    private static readonly string StageSql = SqlResource.Load("email_stage_tables.sql");
    private static readonly string InsertSql = SqlResource.Load("email_insert.sql");
    private static readonly string RepairSql = SqlResource.Load("email_thread_repair.sql");
    private static readonly string FinishSql = SqlResource.Load("email_finish.sql");
    private static readonly string SuppressSql = SqlResource.Load("email_suppress.sql");

    /// <summary>Units at least this large refresh planner statistics before merging.</summary>
    private const int AnalyzeThreshold = 2000;

    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;
    private readonly EmailUnit[] _units;
    private readonly long[] _ledgerIds;
    private readonly long[] _staged;
    private readonly long[] _firstRow;
    private readonly List<(int Unit, QuarantineRow Row)> _quarantine = [];
    private readonly List<(string DedupeKey, int Ordinal, AttachmentInfo Attachment)> _contents = [];
    private NpgsqlBinaryImporter? _importer;
    private long _rows;

    private EmailUnitWriter(NpgsqlConnection connection, NpgsqlTransaction transaction, EmailUnit[] units, long[] ledgerIds)
    {
        _connection = connection;
        _transaction = transaction;
        _units = units;
        _ledgerIds = ledgerIds;
        _staged = new long[units.Length];
        _firstRow = new long[units.Length];
    }

    /// <summary>The (first) unit's ledger row.</summary>
    public long LedgerId => _ledgerIds[0];

    /// <summary>The (first) unit's path or location, for quarantine rows.</summary>
    public string UnitPath => _units[0].UnitPath;

    /// <summary>Messages staged so far.</summary>
    public long Staged => _rows;

    /// <summary>Messages quarantined so far.</summary>
    public long Quarantined => _quarantine.Count;

    /// <summary>Where the writer's time went (accumulated over its commit), when the caller asked.</summary>
    public EmailPhaseTimes? Times { get; init; }

    /// <summary>
    /// Opens the unit: a connection, a transaction holding the email advisory lock (threads span
    /// units, so email units merge one at a time), the ledger row and the scratch tables.
    /// Returns null when <paramref name="checksum"/> was loaded before under <paramref name="unitKeyPrefix"/>.
    /// </summary>
    public static async Task<(EmailUnitWriter? Writer, long? EarlierLedgerId)> BeginAsync(
        NpgsqlDataSource dataSource, string unitKeyPrefix, string unitKey, string unitPath, string? checksum,
        long? byteStart, long? byteEnd, Guid? runId, CancellationToken cancellationToken)
    {
        var (writer, earlier) = await BeginBatchAsync(
            dataSource, unitKeyPrefix, [new EmailUnit(unitKey, unitPath, checksum, byteStart, byteEnd)], runId, null, cancellationToken).ConfigureAwait(false);
        return (writer, earlier[0]);
    }

    /// <summary>
    /// Opens several units in one transaction (holding the email advisory lock): one ledger row per
    /// unit whose checksum was not loaded before under <paramref name="unitKeyPrefix"/> (nor earlier
    /// in this batch). Returns, per unit, the earlier ledger id when it is skipped; the writer is
    /// null when every unit is skipped. Units must be added to in order, each unit's rows together.
    /// </summary>
    public static async Task<(EmailUnitWriter? Writer, long?[] EarlierLedgerIds)> BeginBatchAsync(
        NpgsqlDataSource dataSource, string unitKeyPrefix, IReadOnlyList<EmailUnit> units, Guid? runId,
        EmailPhaseTimes? times, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(units);
        var start = Stopwatch.GetTimestamp();
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        NpgsqlTransaction? transaction = null;
        try
        {
            transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await Ledger.LockAsync(connection, transaction, "email", cancellationToken).ConfigureAwait(false);
            var checksums = units.Select(u => u.Checksum).OfType<string>().Distinct(StringComparer.Ordinal).ToArray();
            var found = checksums.Length == 0
                ? new Dictionary<string, long>(StringComparer.Ordinal)
                : await Ledger.FindManyAsync(connection, transaction, Source, unitKeyPrefix, checksums, cancellationToken).ConfigureAwait(false);

            // The same bytes twice in one batch load once, like two files one after the other.
            var earlier = new long?[units.Count];
            var firstOfChecksum = new Dictionary<string, int>(StringComparer.Ordinal);
            var duplicateOf = new int[units.Count];
            var open = new List<int>(units.Count);
            for (var i = 0; i < units.Count; i++)
            {
                duplicateOf[i] = -1;
                var checksum = units[i].Checksum;
                if (checksum is not null && found.TryGetValue(checksum, out var id))
                {
                    earlier[i] = id;
                }
                else if (checksum is not null && firstOfChecksum.TryGetValue(checksum, out var first))
                {
                    duplicateOf[i] = first;
                }
                else
                {
                    if (checksum is not null)
                    {
                        firstOfChecksum[checksum] = open.Count;
                    }

                    open.Add(i);
                }
            }

            if (open.Count == 0)
            {
                await transaction.DisposeAsync().ConfigureAwait(false);
                await connection.DisposeAsync().ConfigureAwait(false);
                return (null, earlier);
            }

            var opened = open.Select(i => units[i]).ToArray();
            var ledgerIds = await Ledger.OpenManyAsync(
                connection, transaction, Source,
                opened.Select(u => (u.UnitKey, (string?)u.UnitPath, u.Checksum, u.ByteStart, u.ByteEnd)).ToArray(),
                runId, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < units.Count; i++)
            {
                if (duplicateOf[i] >= 0)
                {
                    earlier[i] = ledgerIds[duplicateOf[i]];
                }
            }

            await using (var stage = new NpgsqlCommand(StageSql, connection, transaction))
            {
                await stage.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            var writer = new EmailUnitWriter(connection, transaction, opened, ledgerIds) { Times = times };
            writer._importer = await connection.BeginBinaryImportAsync(
                """
                copy email_stage (row_no, ledger_id, dedupe_key, message_id, content_hash, thread_root, parent_id, in_reply_to, "references",
                    sent_at, date_missing, from_address, from_name, to_addresses, to_names, cc_addresses, cc_names,
                    reply_to_addresses, subject, body_text, quoted_text, body_truncated, mime_defect, direction, customer_address, intents,
                    attachments, attachment_count, size_bytes, source_kind, source_location, external_addresses, external_names)
                from stdin (format binary)
                """, cancellationToken).ConfigureAwait(false);
            times?.Add(ref times.Ledger, start);
            return (writer, earlier);
        }
        catch
        {
            if (transaction is not null)
            {
                await transaction.DisposeAsync().ConfigureAwait(false);
            }

            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Stages one parsed message of the (only) unit.</summary>
    public Task AddAsync(ParsedEmail email, string sourceKind, CancellationToken cancellationToken) =>
        AddAsync(email, sourceKind, 0, cancellationToken);

    /// <summary>Records a rejected message of the (only) unit (written at commit).</summary>
    public void Quarantine(QuarantineRow row) => _quarantine.Add((0, row));

    /// <summary>Records a rejected message of unit number <paramref name="unit"/> (opened units, in order; written at commit).</summary>
    public void Quarantine(QuarantineRow row, int unit) => _quarantine.Add((unit, row));

    /// <summary>
    /// Merges the staged messages, writes quarantine rows, closes the (only) unit's ledger row with
    /// its counts and <paramref name="detail"/>, and commits. Returns the counts.
    /// </summary>
    public async Task<IngestCounts> CommitAsync(object? detail, CancellationToken cancellationToken) =>
        (await CommitBatchAsync([detail], cancellationToken).ConfigureAwait(false))[0];

    /// <summary>Stages one parsed message of unit number <paramref name="unit"/> (opened units, in order).</summary>
    public async Task AddAsync(ParsedEmail email, string sourceKind, int unit, CancellationToken cancellationToken)
    {
        var importer = _importer ?? throw new InvalidOperationException("The unit is already committed.");
        var dedupeKey = (email.MessageId ?? "") + "|" + email.ContentHash;
        var start = Stopwatch.GetTimestamp();
        await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
        if (_staged[unit]++ == 0)
        {
            _firstRow[unit] = _rows + 1;
        }

        importer.Write(++_rows, NpgsqlDbType.Bigint);
        importer.Write(_ledgerIds[unit], NpgsqlDbType.Bigint);
        importer.Write(dedupeKey, NpgsqlDbType.Text);
        importer.TextOrNull(email.MessageId);
        importer.Write(email.ContentHash, NpgsqlDbType.Text);
        importer.Write(email.ThreadRoot, NpgsqlDbType.Text);
        importer.TextOrNull(email.ParentId);
        importer.TextOrNull(email.InReplyTo);
        importer.Write(email.References, NpgsqlDbType.Array | NpgsqlDbType.Text);
        importer.Write(email.SentAtUtc, NpgsqlDbType.TimestampTz);
        importer.Write(email.DateMissing, NpgsqlDbType.Boolean);
        importer.Write(email.FromAddress!, NpgsqlDbType.Text);
        importer.TextOrNull(email.FromName);
        importer.Write(email.To.Addresses, NpgsqlDbType.Array | NpgsqlDbType.Text);
        importer.Write(email.To.Names, NpgsqlDbType.Array | NpgsqlDbType.Text);
        importer.Write(email.Cc.Addresses, NpgsqlDbType.Array | NpgsqlDbType.Text);
        importer.Write(email.Cc.Names, NpgsqlDbType.Array | NpgsqlDbType.Text);
        importer.Write(email.ReplyTo.Addresses, NpgsqlDbType.Array | NpgsqlDbType.Text);
        importer.TextOrNull(email.Subject);
        importer.TextOrNull(email.BodyText);
        importer.TextOrNull(email.QuotedText);
        importer.Write(email.BodyTruncated, NpgsqlDbType.Boolean);
        importer.TextOrNull(email.MimeDefect);
        importer.Write(email.Direction, NpgsqlDbType.Text);
        importer.TextOrNull(email.CustomerAddress);
        importer.Write(email.Intents, NpgsqlDbType.Array | NpgsqlDbType.Text);
        importer.Write(email.Attachments.Count == 0 ? "[]" : JsonSerializer.Serialize(email.Attachments.Select(a => new { name = a.FileName, type = a.ContentType, size = a.SizeBytes })), NpgsqlDbType.Jsonb);
        importer.Write(email.Attachments.Count, NpgsqlDbType.Integer);
        importer.Write(email.SizeBytes, NpgsqlDbType.Bigint);
        importer.Write(sourceKind, NpgsqlDbType.Text);
        importer.Write(email.Location, NpgsqlDbType.Text);
        importer.Write(email.External.Addresses, NpgsqlDbType.Array | NpgsqlDbType.Text);
        importer.Write(email.External.Names, NpgsqlDbType.Array | NpgsqlDbType.Text);
        for (var i = 0; i < email.Attachments.Count; i++)
        {
            if (email.Attachments[i].Content is not null)
            {
                _contents.Add((dedupeKey, i + 1, email.Attachments[i]));
            }
        }

        Times?.Add(ref Times.Copy, start);
    }

    /// <summary>
    /// Merges the staged messages of every unit, writes quarantine rows, closes each unit's ledger
    /// row with its own counts and detail (<paramref name="details"/>, one per opened unit, in order),
    /// and commits them all at once. Returns each unit's counts.
    /// </summary>
    public async Task<IngestCounts[]> CommitBatchAsync(IReadOnlyList<object?> details, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(details);
        if (details.Count != _units.Length)
        {
            throw new ArgumentException($"Expected {_units.Length} details, one per unit; got {details.Count}.", nameof(details));
        }

        var importer = _importer ?? throw new InvalidOperationException("The unit is already committed.");
        var start = Stopwatch.GetTimestamp();
        await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        await importer.DisposeAsync().ConfigureAwait(false);
        _importer = null;

        if (_contents.Count > 0)
        {
            await using var attachments = await _connection.BeginBinaryImportAsync(
                "copy email_stage_attachment (dedupe_key, ordinal, file_name, content_type, size_bytes, content) from stdin (format binary)",
                cancellationToken).ConfigureAwait(false);
            foreach (var (key, ordinal, a) in _contents)
            {
                await attachments.StartRowAsync(cancellationToken).ConfigureAwait(false);
                attachments.Write(key, NpgsqlDbType.Text);
                attachments.Write(ordinal, NpgsqlDbType.Integer);
                attachments.TextOrNull(a.FileName);
                attachments.Write(a.ContentType, NpgsqlDbType.Text);
                attachments.Write(a.SizeBytes, NpgsqlDbType.Bigint);
                attachments.Write(a.Content!, NpgsqlDbType.Bytea);
            }

            await attachments.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }

        Times?.Add(ref Times.Copy, start);
        start = Stopwatch.GetTimestamp();

        // Forgotten people stay forgotten: their messages become 'suppressed' quarantine rows without raw
        // text (read = loaded + quarantined + duplicate still holds); rejected messages naming them lose their text.
        var rejected = new long[_units.Length];
        foreach (var (unit, _) in _quarantine)
        {
            rejected[unit]++;
        }

        var suppressed = new long[_units.Length];
        var unitOfLedger = new Dictionary<long, int>(_units.Length);
        for (var i = 0; i < _ledgerIds.Length; i++)
        {
            unitOfLedger[_ledgerIds[i]] = i;
        }

        await Suppression.LockSharedAsync(_connection, _transaction, cancellationToken).ConfigureAwait(false);
        if (await Suppression.LoadAsync(_connection, _transaction, cancellationToken).ConfigureAwait(false) is { } suppression)
        {
            for (var i = 0; i < _quarantine.Count; i++)
            {
                if (suppression.Mentions(_quarantine[i].Row.RawText, null))
                {
                    _quarantine[i] = (_quarantine[i].Unit, _quarantine[i].Row.Suppressed());
                }
            }

            await using var suppress = new NpgsqlCommand(SuppressSql, _connection, _transaction) { CommandTimeout = 0 };
            await using var reader = await suppress.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var unit = unitOfLedger[reader.GetInt64(1)];
                var line = reader.GetInt64(0) - _firstRow[unit] + 1;
                _quarantine.Add((unit, new QuarantineRow(line, null, Suppression.Reason, "", 0)));
                suppressed[unit]++;
            }
        }

        if (_quarantine.Count > 0)
        {
            await QuarantineWriter.WriteAsync(
                _connection, Source, _quarantine.Select(q => (_ledgerIds[q.Unit], _units[q.Unit].UnitPath, q.Row)), cancellationToken).ConfigureAwait(false);
        }

        Times?.Add(ref Times.Quarantine, start);
        start = Stopwatch.GetTimestamp();

        // Temp tables are never analysed by autovacuum, and core.email may have grown a lot in
        // this very transaction: give the planner real row counts before the set-based merge.
        if (_rows >= AnalyzeThreshold)
        {
            await ExecuteAsync("analyze email_stage", cancellationToken).ConfigureAwait(false);
        }

        var loaded = new long[_units.Length];
        long loadedTotal = 0;
        await using (var insert = new NpgsqlCommand(InsertSql, _connection, _transaction))
        {
            insert.CommandTimeout = 0;
            await using var reader = await insert.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var n = reader.GetInt64(1);
                loaded[unitOfLedger[reader.GetInt64(0)]] = n;
                loadedTotal += n;
            }
        }

        if (loadedTotal >= AnalyzeThreshold)
        {
            await ExecuteAsync("analyze core.email", cancellationToken).ConfigureAwait(false);
            await ExecuteAsync("analyze email_touched", cancellationToken).ConfigureAwait(false);
        }

        Times?.Add(ref Times.Insert, start);
        start = Stopwatch.GetTimestamp();

        // Once per transaction, whatever the number of units in it.
        // Bounded: a reference cycle between messages could otherwise move threads forever.
        for (var pass = 0; pass < 32; pass++)
        {
            await using var repair = new NpgsqlCommand(RepairSql, _connection, _transaction) { CommandTimeout = 0 };
            if ((long)(await repair.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))! == 0)
            {
                break;
            }
        }

        Times?.Add(ref Times.Repair, start);
        start = Stopwatch.GetTimestamp();

        await using (var finish = new NpgsqlCommand(FinishSql, _connection, _transaction) { CommandTimeout = 0 })
        {
            await finish.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        Times?.Add(ref Times.Finish, start);
        start = Stopwatch.GetTimestamp();

        var counts = new IngestCounts[_units.Length];
        for (var i = 0; i < counts.Length; i++)
        {
            counts[i] = new IngestCounts(_staged[i] + rejected[i], loaded[i], rejected[i] + suppressed[i], _staged[i] - suppressed[i] - loaded[i]);
        }

        await Ledger.CloseManyAsync(_connection, _transaction, _ledgerIds, counts, details, cancellationToken).ConfigureAwait(false);
        await _transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        Times?.Add(ref Times.Ledger, start);
        return counts;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_importer is not null)
        {
            // Not completed: cancel the COPY so the rollback below is clean.
            try
            {
                await _importer.DisposeAsync().ConfigureAwait(false);
            }
            catch (NpgsqlException)
            {
                // The connection is going away with the transaction; nothing was committed.
            }
            catch (InvalidOperationException)
            {
            }

            _importer = null;
        }

        await _transaction.DisposeAsync().ConfigureAwait(false);
        await _connection.DisposeAsync().ConfigureAwait(false);
    }

    private async Task ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, _connection, _transaction) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}

using System.Text.Json;
using Crm.Pipeline.Privacy;
using Crm.Pipeline.Warehouse;
using Npgsql;
using NpgsqlTypes;

namespace Crm.Pipeline.Sources.Email;

/// <summary>
/// One ledger unit of email (a file, or an IMAP folder's UID range) being written: its ledger
/// row, its messages streamed by binary COPY into a scratch table, its quarantine rows, then a
/// set-based merge into <c>core.email</c>, <c>core.email_thread</c> and <c>core.source_customer</c>,
/// all in one transaction. Dispose without <see cref="CommitAsync"/> rolls everything back.
/// </summary>
internal sealed class EmailUnitWriter : IAsyncDisposable
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
    private readonly List<QuarantineRow> _quarantine = [];
    private readonly List<(string DedupeKey, int Ordinal, AttachmentInfo Attachment)> _contents = [];
    private NpgsqlBinaryImporter? _importer;
    private long _rows;

    private EmailUnitWriter(NpgsqlConnection connection, NpgsqlTransaction transaction, long ledgerId, string unitPath)
    {
        _connection = connection;
        _transaction = transaction;
        LedgerId = ledgerId;
        UnitPath = unitPath;
    }

    /// <summary>The unit's ledger row.</summary>
    public long LedgerId { get; }

    /// <summary>The unit's path or location, for quarantine rows.</summary>
    public string UnitPath { get; }

    /// <summary>Messages staged so far.</summary>
    public long Staged => _rows;

    /// <summary>Messages quarantined so far.</summary>
    public long Quarantined => _quarantine.Count;

    /// <summary>
    /// Opens the unit: a connection, a transaction holding the email advisory lock (threads span
    /// units, so email units merge one at a time), the ledger row and the scratch tables.
    /// Returns null when <paramref name="checksum"/> was loaded before under <paramref name="unitKeyPrefix"/>.
    /// </summary>
    public static async Task<(EmailUnitWriter? Writer, long? EarlierLedgerId)> BeginAsync(
        NpgsqlDataSource dataSource, string unitKeyPrefix, string unitKey, string unitPath, string? checksum,
        long? byteStart, long? byteEnd, Guid? runId, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        NpgsqlTransaction? transaction = null;
        try
        {
            transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await Ledger.LockAsync(connection, transaction, "email", cancellationToken).ConfigureAwait(false);
            if (checksum is not null
                && await Ledger.FindAsync(connection, transaction, Source, unitKeyPrefix, checksum, cancellationToken).ConfigureAwait(false) is { } earlier)
            {
                await transaction.DisposeAsync().ConfigureAwait(false);
                await connection.DisposeAsync().ConfigureAwait(false);
                return (null, earlier);
            }

            var ledgerId = await Ledger.OpenAsync(connection, transaction, Source, unitKey, unitPath, checksum, byteStart, byteEnd, runId, cancellationToken).ConfigureAwait(false);
            await using (var stage = new NpgsqlCommand(StageSql, connection, transaction))
            {
                await stage.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            var writer = new EmailUnitWriter(connection, transaction, ledgerId, unitPath);
            writer._importer = await connection.BeginBinaryImportAsync(
                """
                copy email_stage (row_no, dedupe_key, message_id, content_hash, thread_root, parent_id, in_reply_to, "references",
                    sent_at, date_missing, from_address, from_name, to_addresses, to_names, cc_addresses, cc_names,
                    reply_to_addresses, subject, body_text, quoted_text, body_truncated, direction, customer_address, intents,
                    attachments, attachment_count, size_bytes, source_kind, source_location, external_addresses, external_names)
                from stdin (format binary)
                """, cancellationToken).ConfigureAwait(false);
            return (writer, null);
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

    /// <summary>Stages one parsed message.</summary>
    public async Task AddAsync(ParsedEmail email, string sourceKind, CancellationToken cancellationToken)
    {
        var importer = _importer ?? throw new InvalidOperationException("The unit is already committed.");
        var dedupeKey = (email.MessageId ?? "") + "|" + email.ContentHash;
        await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
        importer.Write(++_rows, NpgsqlDbType.Bigint);
        importer.Write(dedupeKey, NpgsqlDbType.Text);
        WriteText(importer, email.MessageId);
        importer.Write(email.ContentHash, NpgsqlDbType.Text);
        importer.Write(email.ThreadRoot, NpgsqlDbType.Text);
        WriteText(importer, email.ParentId);
        WriteText(importer, email.InReplyTo);
        importer.Write(email.References, NpgsqlDbType.Array | NpgsqlDbType.Text);
        importer.Write(email.SentAtUtc, NpgsqlDbType.TimestampTz);
        importer.Write(email.DateMissing, NpgsqlDbType.Boolean);
        importer.Write(email.FromAddress!, NpgsqlDbType.Text);
        WriteText(importer, email.FromName);
        importer.Write(email.To.Addresses, NpgsqlDbType.Array | NpgsqlDbType.Text);
        importer.Write(email.To.Names, NpgsqlDbType.Array | NpgsqlDbType.Text);
        importer.Write(email.Cc.Addresses, NpgsqlDbType.Array | NpgsqlDbType.Text);
        importer.Write(email.Cc.Names, NpgsqlDbType.Array | NpgsqlDbType.Text);
        importer.Write(email.ReplyTo.Addresses, NpgsqlDbType.Array | NpgsqlDbType.Text);
        WriteText(importer, email.Subject);
        WriteText(importer, email.BodyText);
        WriteText(importer, email.QuotedText);
        importer.Write(email.BodyTruncated, NpgsqlDbType.Boolean);
        importer.Write(email.Direction, NpgsqlDbType.Text);
        WriteText(importer, email.CustomerAddress);
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
    }

    /// <summary>Records a rejected message (written at commit).</summary>
    public void Quarantine(QuarantineRow row) => _quarantine.Add(row);

    /// <summary>
    /// Merges the staged messages, writes quarantine rows, closes the ledger row with the unit's
    /// counts and <paramref name="detail"/>, and commits. Returns the counts.
    /// </summary>
    public async Task<IngestCounts> CommitAsync(object? detail, CancellationToken cancellationToken)
    {
        var importer = _importer ?? throw new InvalidOperationException("The unit is already committed.");
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
                WriteText(attachments, a.FileName);
                attachments.Write(a.ContentType, NpgsqlDbType.Text);
                attachments.Write(a.SizeBytes, NpgsqlDbType.Bigint);
                attachments.Write(a.Content!, NpgsqlDbType.Bytea);
            }

            await attachments.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }

        // Forgotten people stay forgotten: their messages become 'suppressed' quarantine rows without raw
        // text (read = loaded + quarantined + duplicate still holds); rejected messages naming them lose their text.
        var rejected = _quarantine.Count;
        long suppressed = 0;
        await Suppression.LockSharedAsync(_connection, _transaction, cancellationToken).ConfigureAwait(false);
        if (await Suppression.LoadAsync(_connection, _transaction, cancellationToken).ConfigureAwait(false) is { } suppression)
        {
            for (var i = 0; i < _quarantine.Count; i++)
            {
                if (suppression.Mentions(_quarantine[i].RawText, null))
                {
                    _quarantine[i] = Suppression.Scrub(_quarantine[i]);
                }
            }

            await using var suppress = new NpgsqlCommand(SuppressSql, _connection, _transaction) { CommandTimeout = 0 };
            await using var reader = await suppress.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                _quarantine.Add(new QuarantineRow(reader.GetInt64(0), null, Suppression.Reason, "", 0));
                suppressed++;
            }
        }

        if (_quarantine.Count > 0)
        {
            await QuarantineWriter.WriteAsync(_connection, Source, LedgerId, UnitPath, _quarantine, cancellationToken).ConfigureAwait(false);
        }

        // Temp tables are never analysed by autovacuum, and core.email may have grown a lot in
        // this very transaction: give the planner real row counts before the set-based merge.
        if (_rows >= AnalyzeThreshold)
        {
            await ExecuteAsync("analyze email_stage", cancellationToken).ConfigureAwait(false);
        }

        long loaded;
        await using (var insert = new NpgsqlCommand(InsertSql, _connection, _transaction))
        {
            insert.CommandTimeout = 0;
            insert.Parameters.AddWithValue("ledger_id", LedgerId);
            loaded = (long)(await insert.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }

        if (loaded >= AnalyzeThreshold)
        {
            await ExecuteAsync("analyze core.email", cancellationToken).ConfigureAwait(false);
            await ExecuteAsync("analyze email_touched", cancellationToken).ConfigureAwait(false);
        }

        // Bounded: a reference cycle between messages could otherwise move threads forever.
        for (var pass = 0; pass < 32; pass++)
        {
            await using var repair = new NpgsqlCommand(RepairSql, _connection, _transaction) { CommandTimeout = 0 };
            if ((long)(await repair.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))! == 0)
            {
                break;
            }
        }

        await using (var finish = new NpgsqlCommand(FinishSql, _connection, _transaction) { CommandTimeout = 0 })
        {
            await finish.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var counts = new IngestCounts(_rows + rejected, loaded, rejected + suppressed, _rows - suppressed - loaded);
        await Ledger.CloseAsync(_connection, _transaction, LedgerId, counts, detail, cancellationToken).ConfigureAwait(false);
        await _transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
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

    private static void WriteText(NpgsqlBinaryImporter importer, string? value)
    {
        if (value is null)
        {
            importer.WriteNull();
        }
        else
        {
            importer.Write(value, NpgsqlDbType.Text);
        }
    }
}

using System.Globalization;
using Crm.Pipeline.Privacy;
using Crm.Pipeline.Warehouse;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using Sylvan.Data.Csv;

namespace Crm.Pipeline.Sources.WebLogs;

/// <summary>
/// Loads the email campaign tool's send logs (<see cref="CampaignSendsOptions"/>) into
/// <c>core.campaign_send</c>: token → address. A file is a ledger unit, recognised by its SHA-256,
/// so a file seen again is skipped and a re-exported, longer file only adds its new tokens (the
/// others count as duplicates). Each recipient becomes a source record (<c>core.source_customer</c>,
/// source <c>campaign_sends</c>, id = the address), which identity resolution joins to the customer
/// with that address like any other source record. In the same transaction, visitors who already
/// clicked one of the file's tokens are linked to that record (<c>weblog_resolve_tracking.sql</c>).
/// </summary>
internal sealed partial class CampaignSendLoader
{
    /// <summary>The ledger's source name for send logs.</summary>
    public const string Source = "campaign_sends";

    private static readonly string ResolveSql = SqlResource.Load("weblog_resolve_tracking.sql");

    private readonly NpgsqlDataSource _dataSource;
    private readonly ILogger _logger;

    public CampaignSendLoader(NpgsqlDataSource dataSource, ILogger logger)
    {
        _dataSource = dataSource;
        _logger = logger;
    }

    /// <summary>Loads every send log in the configured folder, oldest name first; nothing when no folder is set.</summary>
    public async Task<IReadOnlyList<UnitResult>> LoadFolderAsync(CampaignSendsOptions options, Guid? runId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Folder) || !Directory.Exists(options.Folder))
        {
            return [];
        }

        var results = new List<UnitResult>();
        foreach (var path in Directory.GetFiles(options.Folder, options.Pattern).Order(StringComparer.Ordinal))
        {
            results.Add(await LoadFileAsync(path, options, runId, cancellationToken).ConfigureAwait(false));
        }

        return results;
    }

    /// <summary>Loads one send log. An unreadable file or one without the token and email columns is a failed result, not an exception.</summary>
    public async Task<UnitResult> LoadFileAsync(string path, CampaignSendsOptions options, Guid? runId, CancellationToken cancellationToken)
    {
        var fullPath = Path.GetFullPath(path);
        string sha;
        try
        {
            (sha, _) = await SourceFile.FingerprintAsync(fullPath, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new UnitResult(fullPath, "failed", default, $"cannot read: {e.Message}");
        }

        var unitKey = "sends:" + Path.GetFileName(fullPath) + ":" + sha;
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await Ledger.LockAsync(connection, transaction, "campaign_sends", cancellationToken).ConfigureAwait(false);
        if (await Ledger.FindAsync(connection, transaction, Source, "sends:", sha, cancellationToken).ConfigureAwait(false) is not null)
        {
            return new UnitResult(fullPath, "skipped (already loaded)", default);
        }

        // Forgotten people stay forgotten: a send to a suppressed address is kept as a reason only.
        await Suppression.LockSharedAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        var suppression = await Suppression.LoadAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        var rows = new List<(string Token, string Email, string? Campaign, DateTime? SentAt)>();
        var quarantine = new List<QuarantineRow>();
        long read = 0;
        try
        {
            await using var stream = SourceFile.OpenRead(fullPath);
            using var text = new StreamReader(stream);
            await using var csv = await CsvDataReader.CreateAsync(text, new CsvDataReaderOptions { HasHeaders = true }, cancellationToken).ConfigureAwait(false);
            var token = Ordinal(csv, options.TokenColumn);
            var email = Ordinal(csv, options.EmailColumn);
            var campaign = Ordinal(csv, options.CampaignColumn);
            var sentAt = Ordinal(csv, options.SentAtColumn);
            if (token < 0 || email < 0)
            {
                return new UnitResult(fullPath, "failed", default,
                    $"no '{options.TokenColumn}' and '{options.EmailColumn}' columns in the header (set Crm:WebLogs:CampaignSends:TokenColumn / EmailColumn)");
            }

            while (await csv.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                read++;
                var line = read + 1; // the header is line 1
                var t = csv.GetString(token).Trim();
                var address = TrackingToken.EmailOf(csv.GetString(email));
                DateTime? sent = null;
                if (sentAt >= 0 && csv.GetString(sentAt) is { Length: > 0 } s)
                {
                    if (!DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
                    {
                        quarantine.Add(Bad(csv, line, $"bad {options.SentAtColumn} '{s}'"));
                        continue;
                    }

                    sent = parsed.UtcDateTime;
                }

                if (t.Length == 0)
                {
                    quarantine.Add(Bad(csv, line, $"empty {options.TokenColumn}"));
                }
                else if (address is null || address.Contains(',', StringComparison.Ordinal))
                {
                    quarantine.Add(Bad(csv, line, $"not an email address in {options.EmailColumn}"));
                }
                else if (suppression is not null && suppression.IsEmailSuppressed(address))
                {
                    quarantine.Add(new QuarantineRow(line, null, Suppression.Reason, "", 0));
                }
                else
                {
                    rows.Add((t, address, campaign >= 0 && csv.GetString(campaign) is { Length: > 0 } c ? c : null, sent));
                }
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return new UnitResult(fullPath, "failed", default, $"cannot read: {e.Message}");
        }

        var ledgerId = await Ledger.OpenAsync(connection, transaction, Source, unitKey, fullPath, sha, null, null, runId, cancellationToken).ConfigureAwait(false);
        var loaded = await InsertAsync(connection, transaction, ledgerId, rows, cancellationToken).ConfigureAwait(false);
        if (quarantine.Count > 0)
        {
            await QuarantineWriter.WriteAsync(connection, Source, ledgerId, fullPath, quarantine, cancellationToken).ConfigureAwait(false);
        }

        await ResolveAsync(connection, transaction, rows.Select(r => r.Token).ToArray(), cancellationToken).ConfigureAwait(false);
        var counts = new IngestCounts(read, loaded, quarantine.Count, rows.Count - loaded);
        await Ledger.CloseAsync(connection, transaction, ledgerId, counts, null, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        Log.Loaded(_logger, fullPath, read, loaded, quarantine.Count);
        return new UnitResult(fullPath, "loaded", counts);
    }

    /// <summary>Links visitors whose tracking-token links name one of <paramref name="tokens"/> to the address it was sent to.</summary>
    public static async Task ResolveAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string[] tokens, CancellationToken cancellationToken)
    {
        if (tokens.Length == 0)
        {
            return;
        }

        await using var command = new NpgsqlCommand(ResolveSql, connection, transaction);
        command.Parameters.AddWithValue("tokens", tokens);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The statement of <see cref="ResolveAsync"/>, to run in a batch with others.</summary>
    internal static NpgsqlBatchCommand ResolveCommand(string[] tokens)
    {
        var command = new NpgsqlBatchCommand(ResolveSql);
        command.Parameters.AddWithValue("tokens", tokens);
        return command;
    }

    private static async Task<long> InsertAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long ledgerId,
        List<(string Token, string Email, string? Campaign, DateTime? SentAt)> rows, CancellationToken cancellationToken)
    {
        await using (var create = new NpgsqlCommand(
            "create temp table campaign_send_in (like core.campaign_send) on commit drop", connection, transaction))
        {
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var importer = await connection.BeginBinaryImportAsync(
            "copy campaign_send_in (tracking_token, email, campaign, sent_at, ledger_id) from stdin (format binary)", cancellationToken).ConfigureAwait(false))
        {
            foreach (var row in rows)
            {
                importer.StartRow();
                importer.Write(row.Token, NpgsqlDbType.Text);
                importer.Write(row.Email, NpgsqlDbType.Text);
                importer.TextOrNull(row.Campaign);
                importer.ValueOrNull(row.SentAt, NpgsqlDbType.TimestampTz);

                importer.Write(ledgerId, NpgsqlDbType.Bigint);
            }

            await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }

        // A token sent twice in one file, or already known from an earlier export, is a duplicate.
        await using var insert = new NpgsqlCommand(
            """
            insert into core.campaign_send (tracking_token, email, campaign, sent_at, ledger_id)
            select distinct on (tracking_token) tracking_token, email, campaign, sent_at, ledger_id
              from campaign_send_in order by tracking_token, sent_at
            on conflict (tracking_token) do nothing
            """, connection, transaction);
        var loaded = await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);

        // Recipients as source records: an address the campaign tool mails is an email identity of a customer.
        await using var recipients = new NpgsqlCommand(
            """
            insert into core.source_customer as c (source, source_customer_id, email, first_seen, last_seen)
            select @source, email, email, coalesce(min(sent_at), now()), coalesce(max(sent_at), now())
              from campaign_send_in group by email
            on conflict (source, source_customer_id) do update
               set first_seen = least(c.first_seen, excluded.first_seen), last_seen = greatest(c.last_seen, excluded.last_seen), updated_at = now()
             where c.first_seen > excluded.first_seen or c.last_seen < excluded.last_seen
            """, connection, transaction);
        recipients.Parameters.AddWithValue("source", Source);
        await recipients.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return loaded;
    }

    private static int Ordinal(CsvDataReader csv, string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return -1;
        }

        for (var i = 0; i < csv.FieldCount; i++)
        {
            if (string.Equals(csv.GetName(i).Trim(), name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }

    private static QuarantineRow Bad(CsvDataReader csv, long line, string reason)
    {
        var fields = new string[csv.RowFieldCount];
        for (var i = 0; i < fields.Length; i++)
        {
            fields[i] = csv.GetString(i);
        }

        var raw = string.Join(',', fields);
        return new QuarantineRow(line, null, reason, raw, raw.Length);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1510, Level = LogLevel.Information, Message = "Loaded campaign send log {SourceUnit}: read {Read}, new tokens {Loaded}, quarantined {Quarantined}")]
        public static partial void Loaded(ILogger logger, string sourceUnit, long read, long loaded, int quarantined);
    }
}

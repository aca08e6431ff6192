using System.Diagnostics;
using System.Net.Sockets;
using Crm.Pipeline.Jobs;
using Crm.Pipeline.Sources.Email.OAuth;
using Crm.Pipeline.Warehouse;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using Npgsql;

namespace Crm.Pipeline.Sources.Email;

/// <summary>
/// Reads configured IMAP folders incrementally. Each folder is tracked by UIDVALIDITY and the
/// highest UID loaded, both kept in the ledger rows committed with the messages, so a crash or a
/// dropped connection resumes after the last committed batch. A new UIDVALIDITY restarts the
/// folder from its first message; content-hash dedupe makes that resync add nothing twice.
/// Folders are opened read-only (EXAMINE) and fetched with BODY.PEEK, so no flag changes,
/// unless a processed folder is configured. Transient failures are retried with bounded
/// back-off; authentication failures are not retried.
/// </summary>
public sealed partial class ImapSyncer
{
    private static readonly string MarkExpungedSql = SqlResource.Load("email_mark_expunged.sql");

    private readonly NpgsqlDataSource _dataSource;
    private readonly IOptionsMonitor<EmailOptions> _options;
    private readonly ILogger _logger;
    private readonly ImapCredentials _credentials;

    /// <summary>Creates a syncer writing to the warehouse behind <paramref name="dataSource"/>.</summary>
    public ImapSyncer(NpgsqlDataSource dataSource, IOptionsMonitor<EmailOptions> options, ILogger<ImapSyncer> logger, ImapCredentials credentials)
    {
        _credentials = credentials;
        _dataSource = dataSource;
        _options = options;
        _logger = logger;
    }

    /// <summary>
    /// Syncs every folder of <paramref name="account"/> and returns one result per committed batch
    /// (and one failed result per folder that does not exist).
    /// </summary>
    /// <exception cref="ImapSyncException">Authentication failed (not retried), the certificate was refused, or transient failures outlasted the configured attempts.</exception>
    public async Task<IReadOnlyList<UnitResult>> SyncAsync(ImapAccountOptions account, Guid? runId, IProgressSink progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(progress);
        var options = _options.CurrentValue;
        var extractor = new EmailExtractor(options, IntentRules.Load(options.IntentRulesFile));
        var results = new List<UnitResult>();
        var done = new HashSet<string>(StringComparer.Ordinal);
        var refreshToken = false;
        var refreshedAfterRefusal = false;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var client = await ImapSession.OpenAsync(account, _credentials, refreshToken, cancellationToken).ConfigureAwait(false);
                refreshToken = false;
                var sent = SentFolder(client, account);
                foreach (var folderName in account.FoldersOrInbox.Append(sent).OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase))
                {
                    if (done.Contains(folderName))
                    {
                        continue;
                    }

                    var readOnly = sent is not null && folderName.Equals(sent, StringComparison.OrdinalIgnoreCase) && !account.FoldersOrInbox.Contains(sent, StringComparer.OrdinalIgnoreCase);
                    await SyncFolderAsync(client, account, folderName, readOnly, extractor, runId, progress, results, cancellationToken).ConfigureAwait(false);
                    done.Add(folderName);
                }

                await client.DisconnectAsync(true, cancellationToken).ConfigureAwait(false);
                return results;
            }
            catch (AuthenticationException) when (ImapProvider.FetchesTokens(account.Provider) && !refreshedAfterRefusal)
            {
                // The cached token may have been revoked or have expired early: fetch a new one, once.
                refreshedAfterRefusal = true;
                refreshToken = true;
                attempt--;
                Log.TokenRefused(_logger, account.Name);
            }
            catch (ImapSyncException e) when (e.Committed.Count == 0 && results.Count > 0)
            {
                // The token provider refused (a revoked refresh token, a missing permission): keep what was committed.
                throw new ImapSyncException(e.Message, e, results);
            }
            catch (AuthenticationException e)
            {
                // Never retried: a wrong password retried in a loop locks accounts and floods logs.
                Log.AuthenticationFailed(_logger, account.Name, account.User, account.Host);
                throw new ImapSyncException(
                    $"IMAP account '{account.Name}': the server {account.Host}:{account.EffectivePort} rejected the credentials of user '{account.User}' " +
                    $"({e.Message}). " + (ImapProvider.FetchesTokens(account.Provider)
                        ? "A fresh token was refused too: check that the app may open this mailbox (m365: IMAP.AccessAsApp and an Exchange service principal with access; google: domain-wide delegation with https://mail.google.com/)."
                        : "Check the password or token configured for this account; the sync was not retried."), e, results);
            }
            catch (SslHandshakeException e)
            {
                throw new ImapSyncException(
                    $"IMAP account '{account.Name}': TLS with {account.Host}:{account.EffectivePort} failed ({e.Message}). " +
                    "Check the Tls mode and the server certificate; ValidateCertificate=false is for tests only.", e, results);
            }
            catch (Exception e) when (IsTransient(e, cancellationToken))
            {
                if (attempt >= account.MaxAttempts)
                {
                    throw new ImapSyncException(
                        $"IMAP account '{account.Name}': {e.GetType().Name}: {e.Message} — gave up after {attempt} attempt(s). " +
                        "Batches committed before the failure are kept; the next run resumes after them.", e, results);
                }

                var delay = TimeSpan.FromMilliseconds(Math.Min(30_000, account.RetryDelayMilliseconds * Math.Pow(2, attempt - 1)));
                Log.Retrying(_logger, account.Name, attempt, account.MaxAttempts, e.GetType().Name, e.Message, (long)delay.TotalMilliseconds);
                progress.Report(null, $"email: {account.Name}: connection lost ({e.GetType().Name}), retry {attempt} in {delay.TotalSeconds:0.#} s");
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
            catch (ImapCommandException e)
            {
                // A NO or BAD that waiting will not change (a folder that cannot be selected, a command the server refuses).
                throw new ImapSyncException(
                    $"IMAP account '{account.Name}': the server {account.Host}:{account.EffectivePort} refused a command ({e.Response}: {e.ResponseText}). " +
                    "Batches committed before the failure are kept; check the account's Folders and the server's log.", e, results);
            }
        }
    }

    /// <summary>Syncs every configured account; an account that fails does not stop the others, its error is a failed result.</summary>
    public async Task<IReadOnlyList<UnitResult>> SyncAllAsync(Guid? runId, IProgressSink progress, CancellationToken cancellationToken)
    {
        var results = new List<UnitResult>();
        foreach (var account in _options.CurrentValue.Imap.Accounts)
        {
            results.AddRange(await SyncAccountAsync(account, runId, progress, cancellationToken).ConfigureAwait(false));
        }

        return results;
    }

    /// <summary>
    /// Syncs one account and never throws for what goes wrong with it: the batches it committed, then (when it
    /// failed) one failed result <c>imap:NAME</c> with the reason. Only cancellation and warehouse errors escape.
    /// </summary>
    public async Task<IReadOnlyList<UnitResult>> SyncAccountAsync(ImapAccountOptions account, Guid? runId, IProgressSink progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        try
        {
            return await SyncAsync(account, runId, progress, cancellationToken).ConfigureAwait(false);
        }
        catch (ImapSyncException e)
        {
            // What the account committed before it failed counts, so the summary equals the ledger.
            return [.. e.Committed, new UnitResult($"imap:{account.Name}", "failed", default, e.Message)];
        }
        catch (Exception e) when (e is not (OperationCanceledException or NpgsqlException))
        {
            // Anything else one account runs into is that account's failure, never the other accounts'.
            // A warehouse error is not caught: it fails the stage, which its retries are for.
            Log.AccountFailed(_logger, e, account.Name);
            return [new UnitResult($"imap:{account.Name}", "failed", default, $"IMAP account '{account.Name}': {e.GetType().Name}: {e.Message}")];
        }
    }

    /// <summary>The sent folder to read besides the configured ones: by SentFolder, or the one the server marks \Sent.</summary>
    private static string? SentFolder(ImapClient client, ImapAccountOptions account)
    {
        if (string.IsNullOrWhiteSpace(account.SentFolder) || account.SentFolder.Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        if (!account.SentFolder.Equals("auto", StringComparison.OrdinalIgnoreCase))
        {
            return account.SentFolder;
        }

        return (client.Capabilities & (ImapCapabilities.SpecialUse | ImapCapabilities.XList)) != 0
            ? client.GetFolder(SpecialFolder.Sent)?.FullName
            : null;
    }

    private async Task SyncFolderAsync(
        ImapClient client, ImapAccountOptions account, string folderName, bool readOnly, EmailExtractor extractor, Guid? runId,
        IProgressSink progress, List<UnitResult> results, CancellationToken cancellationToken)
    {
        IMailFolder folder;
        try
        {
            folder = await client.GetFolderAsync(folderName, cancellationToken).ConfigureAwait(false);
        }
        catch (FolderNotFoundException)
        {
            results.Add(new UnitResult($"imap:{account.Name}/{folderName}", "failed", default, $"folder '{folderName}' does not exist on {account.Host}"));
            return;
        }

        var move = !readOnly && !string.IsNullOrEmpty(account.MoveProcessedTo);
        await folder.OpenAsync(move ? FolderAccess.ReadWrite : FolderAccess.ReadOnly, cancellationToken).ConfigureAwait(false);
        var validity = folder.UidValidity;
        var prefix = $"imap:{account.Name}/{folder.FullName}/{validity}/";
        var last = await HighWaterAsync(prefix, cancellationToken).ConfigureAwait(false);
        if (last == 0 && await KnowsFolderAsync($"imap:{account.Name}/{folder.FullName}/", cancellationToken).ConfigureAwait(false))
        {
            Log.UidValidityChanged(_logger, account.Name, folder.FullName, validity);
        }

        // Every UID the folder holds: the new ones are loaded, and the loaded ones missing from it were expunged.
        // A folder whose messages are moved away after loading (MoveProcessedTo) asks only for the new ones.
        var held = folder.Count == 0
            ? []
            : await folder.SearchAsync(last == 0 || !move ? SearchQuery.All : SearchQuery.Uids(new UniqueIdRange(new UniqueId(validity, (uint)last + 1), UniqueId.MaxValue)), cancellationToken).ConfigureAwait(false);
        var uids = held.Where(u => u.Id > last).OrderBy(u => u.Id).ToList();
        IMailFolder? destination = move ? await client.GetFolderAsync(account.MoveProcessedTo!, cancellationToken).ConfigureAwait(false) : null;
        for (var start = 0; start < uids.Count; start += account.BatchSize)
        {
            var batch = uids.GetRange(start, Math.Min(account.BatchSize, uids.Count - start));
            progress.Report((double)start / uids.Count, $"email: {account.Name}/{folder.FullName}: {start} of {uids.Count} new message(s)");
            results.Add(await SyncBatchAsync(folder, account, prefix, validity, batch, extractor, runId, cancellationToken).ConfigureAwait(false));
            if (destination is not null)
            {
                // After the commit: a crash between commit and move leaves the messages in place,
                // and the next run skips them by UID (or dedupes them after a UIDVALIDITY change).
                await folder.MoveToAsync(batch, destination, cancellationToken).ConfigureAwait(false);
            }
        }

        if (!move && last > 0)
        {
            var marked = await MarkExpungedAsync(prefix, held, cancellationToken).ConfigureAwait(false);
            if (marked > 0)
            {
                Log.ExpungedMarked(_logger, account.Name, folder.FullName, marked);
                progress.Report(null, $"email: {account.Name}/{folder.FullName}: {marked} message(s) deleted on the server since the last sync, kept and marked");
            }
        }

        await folder.CloseAsync(false, cancellationToken).ConfigureAwait(false);
    }

    private async Task<int> MarkExpungedAsync(string prefix, IList<UniqueId> held, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(MarkExpungedSql);
        command.Parameters.AddWithValue("pattern", Like(prefix));
        command.Parameters.AddWithValue("start", prefix.Length + 1);
        command.Parameters.AddWithValue("uids", held.Select(u => (long)u.Id).ToArray());
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<UnitResult> SyncBatchAsync(
        IMailFolder folder, ImapAccountOptions account, string prefix, uint validity, List<UniqueId> batch,
        EmailExtractor extractor, Guid? runId, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var first = batch[0].Id;
        var lastUid = batch[^1].Id;
        var unitKey = $"{prefix}{first}-{lastUid}";
        var (writer, _) = await EmailUnitWriter.BeginAsync(_dataSource, prefix, unitKey, $"imap:{account.Name}/{folder.FullName}", null, null, null, runId, cancellationToken).ConfigureAwait(false);
        await using (writer!)
        {
            var summaries = (await folder.FetchAsync(batch, MessageSummaryItems.UniqueId | MessageSummaryItems.Size | MessageSummaryItems.InternalDate, cancellationToken).ConfigureAwait(false))
                .ToDictionary(s => s.UniqueId.Id);
            var vanished = 0;
            long index = 0;
            foreach (var uid in batch)
            {
                index++;
                if (!summaries.TryGetValue(uid.Id, out var summary))
                {
                    vanished++;
                    continue;
                }

                var location = $"{prefix}{uid.Id}";
                MimeMessage message;
                try
                {
                    // The raw bytes first, parsed here: a message MimeKit cannot parse is then one quarantine
                    // row and the connection stays in step. MailKit fetches BODY.PEEK[]: reading never sets \Seen.
                    using var raw = await folder.GetStreamAsync(uid, cancellationToken).ConfigureAwait(false);
                    try
                    {
                        message = await MimeMessage.LoadAsync(EmailExtractor.ParserOptions, raw, cancellationToken).ConfigureAwait(false);
                    }
                    catch (FormatException e)
                    {
                        writer!.Quarantine(QuarantineRow.FromBytes(index, uid.Id, $"unparseable message: {e.Message} (at {location})", Head(raw), summary.Size ?? raw.Length));
                        continue;
                    }
                }
                catch (MessageNotFoundException)
                {
                    // Expunged between SEARCH and FETCH: it is gone from the mailbox, nothing to load.
                    vanished++;
                    continue;
                }

                ParsedEmail? email;
                string? rejection;
                try
                {
                    email = extractor.Extract(message, location, uid.Id, summary.InternalDate, summary.Size ?? 0, out rejection);
                }
                catch (Exception e) when (e is FormatException or InvalidOperationException or ArgumentException or NotSupportedException)
                {
                    email = null;
                    rejection = $"cannot extract: {e.GetType().Name}: {e.Message}";
                }

                if (email is null)
                {
                    writer!.Quarantine(new QuarantineRow(index, uid.Id, $"{rejection} (at {location})", EmailExtractor.Clean(Truncate(message.Headers.ToString() ?? "")), summary.Size ?? 0));
                    continue;
                }

                await writer!.AddAsync(email, "imap", cancellationToken).ConfigureAwait(false);
            }

            var counts = await writer!.CommitAsync(new
            {
                account = account.Name,
                folder = folder.FullName,
                uid_validity = validity,
                uid_from = first,
                uid_to = lastUid,
                vanished,
            }, cancellationToken).ConfigureAwait(false);
            Log.BatchLoaded(_logger, unitKey, counts.Read, counts.Loaded, counts.Quarantined, counts.Duplicate, vanished, watch.ElapsedMilliseconds);
            return new UnitResult(unitKey, vanished > 0 ? $"loaded ({vanished} expunged during the sync)" : "loaded", counts);
        }
    }

    private async Task<long> HighWaterAsync(string prefix, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(
            "select coalesce(max((detail->>'uid_to')::bigint), 0) from ops.ingest_ledger where source = 'email' and unit_key like @p");
        command.Parameters.AddWithValue("p", Like(prefix));
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private async Task<bool> KnowsFolderAsync(string prefix, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("select exists (select 1 from ops.ingest_ledger where source = 'email' and unit_key like @p)");
        command.Parameters.AddWithValue("p", Like(prefix));
        return (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private static string Like(string prefix) =>
        prefix.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";

    /// <summary>The first bytes of a message, for the quarantine row of one that cannot be parsed.</summary>
    private static byte[] Head(Stream raw)
    {
        raw.Position = 0;
        var buffer = new byte[(int)Math.Min(raw.Length, QuarantineRow.MaxRawChars)];
        raw.ReadExactly(buffer);
        return buffer;
    }

    private static string Truncate(string text) => text.Length > QuarantineRow.MaxRawChars ? text[..QuarantineRow.MaxRawChars] : text;

    /// <summary>Connection drops, timeouts and throttling: worth a reconnect.</summary>
    internal static bool IsTransient(Exception e, CancellationToken cancellationToken) => e switch
    {
        OperationCanceledException when cancellationToken.IsCancellationRequested => false,
        AuthenticationException => false,
        HttpRequestException h => h.StatusCode is null || (int)h.StatusCode >= 500 || h.StatusCode == System.Net.HttpStatusCode.TooManyRequests,
        ImapProtocolException or IOException or SocketException or ServiceNotConnectedException or TimeoutException or OperationCanceledException => true,
        ImapCommandException c => c.ResponseText is { } text
            && (text.Contains("THROTTLED", StringComparison.OrdinalIgnoreCase) || text.Contains("UNAVAILABLE", StringComparison.OrdinalIgnoreCase)
                || text.Contains("try again", StringComparison.OrdinalIgnoreCase) || text.Contains("LIMIT", StringComparison.Ordinal)),
        _ => false,
    };

    private static partial class Log
    {
        [LoggerMessage(EventId = 1611, Level = LogLevel.Information, Message = "Loaded IMAP batch {SourceUnit}: read {Read}, loaded {Loaded}, quarantined {Quarantined}, duplicate {Duplicate}, expunged during sync {Vanished} in {ElapsedMs} ms")]
        public static partial void BatchLoaded(ILogger logger, string sourceUnit, long read, long loaded, long quarantined, long duplicate, int vanished, long elapsedMs);

        [LoggerMessage(EventId = 1612, Level = LogLevel.Error, Message = "IMAP account {Account}: authentication of user {User} at {Host} failed; not retried")]
        public static partial void AuthenticationFailed(ILogger logger, string account, string user, string host);

        [LoggerMessage(EventId = 1613, Level = LogLevel.Warning, Message = "IMAP account {Account}: attempt {Attempt} of {MaxAttempts} failed ({Error}: {Reason}); retrying in {DelayMs} ms")]
        public static partial void Retrying(ILogger logger, string account, int attempt, int maxAttempts, string error, string reason, long delayMs);

        [LoggerMessage(EventId = 1615, Level = LogLevel.Error, Message = "IMAP account {Account}: the sync failed; the other accounts go on")]
        public static partial void AccountFailed(ILogger logger, Exception exception, string account);

        [LoggerMessage(EventId = 1616, Level = LogLevel.Warning, Message = "IMAP account {Account}: the server refused the OAuth2 token; fetching a new one and trying once more")]
        public static partial void TokenRefused(ILogger logger, string account);

        [LoggerMessage(EventId = 1617, Level = LogLevel.Information, Message = "IMAP account {Account}: {Count} message(s) of folder {Folder} were deleted on the server; kept in the warehouse and marked deleted_on_server_at")]
        public static partial void ExpungedMarked(ILogger logger, string account, string folder, int count);

        [LoggerMessage(EventId = 1614, Level = LogLevel.Warning, Message = "IMAP account {Account}: folder {Folder} has a new UIDVALIDITY {UidValidity}; resyncing it (already loaded messages count as duplicates)")]
        public static partial void UidValidityChanged(ILogger logger, string account, string folder, uint uidValidity);
    }
}

using Crm.Pipeline.Jobs;
using Microsoft.Extensions.Options;

namespace Crm.Pipeline.Sources.Email;

/// <summary>
/// The <c>email</c> stage: loads the configured drop folders (.eml, Maildir, mbox) and syncs the
/// configured IMAP accounts. Idempotent: loaded files are skipped by checksum, IMAP folders resume
/// after the last committed UID, and a message seen twice counts as a duplicate.
/// </summary>
public sealed class EmailIngestStage : IPipelineStage
{
    private readonly EmailFileIngester _files;
    private readonly ImapSyncer _imap;
    private readonly IOptionsMonitor<EmailOptions> _options;

    /// <summary>Creates the stage.</summary>
    public EmailIngestStage(EmailFileIngester files, ImapSyncer imap, IOptionsMonitor<EmailOptions> options)
    {
        _files = files;
        _imap = imap;
        _options = options;
    }

    /// <inheritdoc />
    public string Name => "email";

    /// <inheritdoc />
    /// <exception cref="ImapSyncException">Every IMAP account failed (a single failing account is reported in the summary).</exception>
    public async Task<StageResult> RunAsync(StageContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = _options.CurrentValue;
        var drops = options.Drops.Where(d => Directory.Exists(d) || File.Exists(d)).ToList();
        // A mail unit is an IMAP folder as often as a file: its whole name and outcome go in the summary.
        var tally = new UnitTally(r => r.ToString());
        tally.AddRange(await _files.IngestAsync(drops, context.RunId, context.Progress, cancellationToken).ConfigureAwait(false));
        var imap = await _imap.SyncAllAsync(context.RunId, context.Progress, cancellationToken).ConfigureAwait(false);
        tally.AddRange(imap);
        var total = tally.Total;

        var imapFailures = imap.Count(r => r.Error is not null && r.Unit.StartsWith("imap:", StringComparison.Ordinal) && !r.Unit.Contains('/', StringComparison.Ordinal));
        if (options.Imap.Accounts.Count > 0 && imapFailures == options.Imap.Accounts.Count && drops.Count == 0)
        {
            throw new ImapSyncException("Every IMAP account failed: " + string.Join("; ", imap.Where(r => r.Error is not null)));
        }

        context.Progress.Report(1, $"email: {total}");
        var summary = $"{tally.Units} unit(s), {tally.Failed} failed; {total}" + tally.Failures();
        return new StageResult(total.Read, total.Loaded, summary);
    }
}

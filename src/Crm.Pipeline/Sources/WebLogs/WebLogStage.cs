using Crm.Pipeline.Jobs;
using Crm.Pipeline.Warehouse;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Crm.Pipeline.Sources.WebLogs;

/// <summary>
/// The <c>weblogs</c> stage: scans every configured site's log folder and loads what is new in each
/// file (rotated, gzipped and live files alike; the file identities make re-reading safe).
/// </summary>
public sealed class WebLogStage : IPipelineStage
{
    private readonly WebLogIngester _ingester;
    private readonly IOptionsMonitor<WebLogsOptions> _options;
    private readonly NpgsqlDataSource _dataSource;

    /// <summary>Creates the stage.</summary>
    public WebLogStage(WebLogIngester ingester, IOptionsMonitor<WebLogsOptions> options, NpgsqlDataSource dataSource)
    {
        _ingester = ingester;
        _dataSource = dataSource;
        _options = options;
    }

    /// <inheritdoc />
    public string Name => "weblogs";

    /// <inheritdoc />
    public async Task<StageResult> RunAsync(StageContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var total = default(IngestCounts);
        var files = 0;
        var failed = 0;
        // Send logs first, so the tokens of tonight's clicks resolve as their hits land (later ones resolve too).
        // Their rows are not log lines: they are reported apart, not in the stage's row counts.
        var sends = default(IngestCounts);
        var sendFiles = 0;
        foreach (var r in await _ingester.LoadCampaignSendsAsync(context.RunId, cancellationToken).ConfigureAwait(false))
        {
            sends += r.Counts;
            sendFiles++;
            failed += r.Error is null ? 0 : 1;
        }

        var errors = new List<string>();
        var sources = _options.CurrentValue.Sources;
        for (var i = 0; i < sources.Count; i++)
        {
            var source = sources[i];
            if (string.IsNullOrEmpty(source.Folder))
            {
                continue;
            }

            if (SourceFolders.Problem(source.Folder) is { } problem)
            {
                // There at start (the settings check says so), gone now: a failed unit, not "0 files".
                failed++;
                errors.Add($"folder {Path.GetFullPath(source.Folder)} of web log source '{source.Name}' {problem}; restore it or fix Crm:WebLogs:Sources:{i}:Folder");
                continue;
            }

            var paths = SourceFolders.Files(source.Folder, source.Pattern).ToArray();
            var results = await _ingester.IngestAsync(paths, source, null, context.RunId, context.Progress, cancellationToken).ConfigureAwait(false);
            foreach (var r in results)
            {
                total += r.Counts;
                files++;
                failed += r.Error is null ? 0 : 1;
                if (r.Error is not null)
                {
                    errors.Add($"{Path.GetFileName(r.Unit)}: {r.Error}");
                }
            }
        }

        // The partitioned hits table is analysed as a whole (autovacuum only ever analyses its partitions).
        await TableStatistics.RefreshAsync(_dataSource, total.Loaded, ["core.web_event", "core.web_session", "core.web_visitor_link"], cancellationToken).ConfigureAwait(false);
        return new StageResult(total.Read, total.Loaded, $"{files} file(s), {sendFiles} campaign send log(s) ({sends}), {failed} failed; {total}" + Orders.OrderIngestStage.Failures(errors));
    }
}

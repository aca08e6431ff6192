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
        // Send logs first, so the tokens of tonight's clicks resolve as their hits land (later ones resolve too).
        // Their rows are not log lines: they are reported apart, not in the stage's row counts.
        var sends = new UnitTally();
        sends.AddRange(await _ingester.LoadCampaignSendsAsync(context.RunId, cancellationToken).ConfigureAwait(false));
        var logs = new UnitTally();
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
                logs.AddFailure($"folder {Path.GetFullPath(source.Folder)} of web log source '{source.Name}' {problem}; restore it or fix Crm:WebLogs:Sources:{i}:Folder");
                continue;
            }

            var paths = SourceFolders.Files(source.Folder, source.Pattern).ToArray();
            var results = await _ingester.IngestAsync(paths, source, null, context.RunId, context.Progress, cancellationToken).ConfigureAwait(false);
            logs.AddRange(results);
        }

        // The partitioned hits table is analysed as a whole (autovacuum only ever analyses its partitions).
        var total = logs.Total;
        await TableStatistics.RefreshAsync(_dataSource, total.Loaded, ["core.web_event", "core.web_session", "core.web_visitor_link"], cancellationToken).ConfigureAwait(false);
        return new StageResult(total.Read, total.Loaded, $"{logs.Units} file(s), {sends.Units} campaign send log(s) ({sends.Total}), {sends.Failed + logs.Failed} failed; {total}" + logs.Failures());
    }
}

using Crm.Pipeline.Jobs;
using Crm.Pipeline.Warehouse;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Crm.Pipeline.Sources.Orders;

/// <summary>
/// The <c>orders</c> stage: scans every configured feed's drop folder and loads the files the
/// ledger has not seen (a file already loaded is skipped; a changed one is reconciled).
/// </summary>
/// <remarks>
/// Feeds load side by side, up to one per core: their rows never meet (every key in staging and
/// core starts with the feed, each feed has its own advisory lock), so only the order of files
/// within a feed matters, and that stays sequential. While one feed's unit merges in PostgreSQL
/// the other parses and copies, which keeps both the client and the server busy (#10).
/// </remarks>
public sealed class OrderIngestStage : IPipelineStage
{
    private readonly OrderFeedIngester _ingester;
    private readonly IOptionsMonitor<OrdersOptions> _options;
    private readonly NpgsqlDataSource _dataSource;

    /// <summary>Creates the stage.</summary>
    public OrderIngestStage(OrderFeedIngester ingester, IOptionsMonitor<OrdersOptions> options, NpgsqlDataSource dataSource)
    {
        _ingester = ingester;
        _dataSource = dataSource;
        _options = options;
    }

    /// <inheritdoc />
    public string Name => "orders";

    /// <inheritdoc />
    public async Task<StageResult> RunAsync(StageContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var configured = _options.CurrentValue.Feeds;
        var feeds = configured.Where(f => !string.IsNullOrEmpty(f.Folder)).ToList();
        var perFeed = new IReadOnlyList<UnitResult>[feeds.Count];
        var progress = new SerializedProgress(context.Progress);
        await Parallel.ForEachAsync(
            Enumerable.Range(0, feeds.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Environment.ProcessorCount), CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                var feed = feeds[i];
                if (SourceFolders.Problem(feed.Folder!) is { } problem)
                {
                    // The folder was there at start (the settings check says so) and went away: a failed unit, not "0 files".
                    perFeed[i] = [new UnitResult(feed.Folder!, "failed", default,
                        $"folder {Path.GetFullPath(feed.Folder!)} of feed '{feed.Name}' {problem}; restore it or fix Crm:Orders:Feeds:{configured.IndexOf(feed)}:Folder")];
                    return;
                }

                var paths = SourceFolders.Files(feed.Folder!, feed.Pattern);
                perFeed[i] = await _ingester.IngestAsync(paths, feed, context.RunId, progress, ct).ConfigureAwait(false);
            }).ConfigureAwait(false);

        var tally = new UnitTally();
        foreach (var results in perFeed)
        {
            tally.AddRange(results);
        }

        var total = tally.Total;
        await TableStatistics.RefreshAsync(_dataSource, total.Loaded, ["core.\"order\"", "core.order_line", "core.source_customer"], cancellationToken).ConfigureAwait(false);
        return new StageResult(total.Read, total.Loaded, $"{tally.Units} file(s), {tally.Failed} failed; {total}" + tally.Failures());
    }

    /// <summary>Feeds report from several threads; the sink they share sees one report at a time.</summary>
    private sealed class SerializedProgress(IProgressSink inner) : IProgressSink
    {
        private readonly Lock _gate = new();

        public void Report(double? fraction, string message)
        {
            lock (_gate)
            {
                inner.Report(fraction, message);
            }
        }
    }
}

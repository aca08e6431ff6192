using Crm.Pipeline.Jobs;
using Microsoft.Extensions.Options;

namespace Crm.Pipeline.Sources.Orders;

/// <summary>
/// The <c>orders</c> stage: scans every configured feed's drop folder and loads the files the
/// ledger has not seen (a file already loaded is skipped; a changed one is reconciled).
/// </summary>
public sealed class OrderIngestStage : IPipelineStage
{
    private readonly OrderFeedIngester _ingester;
    private readonly IOptionsMonitor<OrdersOptions> _options;

    /// <summary>Creates the stage.</summary>
    public OrderIngestStage(OrderFeedIngester ingester, IOptionsMonitor<OrdersOptions> options)
    {
        _ingester = ingester;
        _options = options;
    }

    /// <inheritdoc />
    public string Name => "orders";

    /// <inheritdoc />
    public async Task<StageResult> RunAsync(StageContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var total = default(IngestCounts);
        var files = 0;
        var failed = 0;
        foreach (var feed in _options.CurrentValue.Feeds.Where(f => !string.IsNullOrEmpty(f.Folder)))
        {
            var paths = Directory.Exists(feed.Folder)
                ? Directory.GetFiles(feed.Folder!, feed.Pattern).Order(StringComparer.Ordinal).ToList()
                : [];
            var results = await _ingester.IngestAsync(paths, feed, context.RunId, context.Progress, cancellationToken).ConfigureAwait(false);
            foreach (var r in results)
            {
                total += r.Counts;
                files++;
                failed += r.Error is null ? 0 : 1;
            }
        }

        return new StageResult(total.Read, total.Loaded, $"{files} file(s), {failed} failed; {total}");
    }
}

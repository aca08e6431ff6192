using System.Diagnostics;
using Crm.Pipeline.Jobs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Crm.Pipeline.Identity;

/// <summary>
/// The <c>identity</c> stage: cleans core.source_customer and resolves it into golden customers
/// (core.customer, core.customer_identity), incrementally when only a small delta changed.
/// </summary>
public sealed partial class IdentityStage : IPipelineStage
{
    private readonly IdentityResolver _resolver;
    private readonly IOptionsMonitor<IdentityOptions> _options;
    private readonly ILogger _logger;

    /// <summary>Creates the stage.</summary>
    public IdentityStage(IdentityResolver resolver, IOptionsMonitor<IdentityOptions> options, ILogger<IdentityStage>? logger = null)
    {
        _resolver = resolver;
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <inheritdoc />
    public string Name => "identity";

    /// <inheritdoc />
    public async Task<StageResult> RunAsync(StageContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = _options.CurrentValue;
        Log.Started(_logger, options.Review.Lower, options.Review.Upper);
        var clock = Stopwatch.StartNew();
        var result = await _resolver.RunAsync(options, context.RunId, context.Progress, cancellationToken).ConfigureAwait(false);
        Log.Finished(
            _logger, result.Mode, result.Records, result.Resolved, result.Customers, result.Created, result.Merges, result.Splits, result.Quarantined,
            result.GuardBlocks, result.CapAlerts, result.PendingReview, clock.ElapsedMilliseconds);
        return new StageResult(result.Records, result.Resolved, result.ToString());
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Identity resolution started (review band {ReviewLower} to {ReviewUpper})")]
        public static partial void Started(ILogger logger, double reviewLower, double reviewUpper);

        [LoggerMessage(EventId = 2002, Level = LogLevel.Information,
            Message = "Identity resolution done ({Mode}): {Records} source records, {Resolved} resolved, {Customers} customers; created {Created}, merged {Merged}, split {Split}; quarantined {Quarantined}; guard blocks {GuardBlocks}, size-cap alerts {CapAlerts}; {PendingReview} review items pending; {ElapsedMs} ms")]
        public static partial void Finished(
            ILogger logger, string mode, long records, long resolved, long customers, int created, int merged, int split, long quarantined, int guardBlocks,
            int capAlerts, long pendingReview, long elapsedMs);
    }
}

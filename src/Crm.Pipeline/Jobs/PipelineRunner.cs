using System.Diagnostics;
using Crm.Pipeline.Warehouse;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Crm.Pipeline.Jobs;

/// <summary>
/// Runs stages in this process, one after another, recording the run like the Hangfire chain
/// does. Used by <c>crm demo</c> and <c>crm run</c>; the service uses <see cref="NightlyChain"/>.
/// </summary>
public sealed partial class PipelineRunner
{
    private readonly IEnumerable<IPipelineStage> _stages;
    private readonly PipelineRunRecorder _recorder;
    private readonly JobRetryOptions _retry;
    private readonly ILogger<PipelineRunner> _logger;

    /// <summary>Creates a runner over the registered stages.</summary>
    public PipelineRunner(
        IEnumerable<IPipelineStage> stages, PipelineRunRecorder recorder, ILogger<PipelineRunner>? logger = null, IOptions<JobRetryOptions>? retry = null)
    {
        _stages = stages;
        _recorder = recorder;
        _retry = retry?.Value ?? new JobRetryOptions();
        _logger = logger ?? NullLogger<PipelineRunner>.Instance;
    }

    /// <summary>The registered stage names of the nightly chain, in chain order (without <see cref="PipelineStages.OnTheirOwn"/>).</summary>
    public IReadOnlyList<string> StageNames => PipelineStages.Sort(_stages).Select(s => s.Name).Where(n => !PipelineStages.OnTheirOwn.Contains(n)).ToList();

    /// <summary>
    /// Runs the named stages in chain order, as a run this process owns (its lease beats until the run ends; runs
    /// whose owners died are marked abandoned first). A stage that loses the warehouse is recorded as failed and
    /// run again once the warehouse answers, as Hangfire would retry its job (<see cref="JobRetryOptions"/>); any
    /// other failure stops the run at once. A failing stage is rethrown after being recorded: a lost warehouse
    /// that never came back as <see cref="WarehouseLostException"/>. <paramref name="progressFor"/> gives a
    /// progress sink per stage.
    /// </summary>
    public async Task<IReadOnlyList<(string Stage, StageResult Result, TimeSpan Elapsed)>> RunAsync(
        IEnumerable<string> stageNames, string runKind, Func<string, IProgressSink> progressFor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(progressFor);
        var wanted = stageNames.ToHashSet(StringComparer.Ordinal);
        var unknown = wanted.Except(_stages.Select(s => s.Name)).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"Unknown stage(s): {string.Join(", ", unknown)}. Known: {string.Join(", ", StageNames)}.");
        }

        await _recorder.MarkAbandonedAsync(cancellationToken).ConfigureAwait(false);
        var (runId, lease) = await _recorder.StartOwnedRunAsync(runKind, $"{PipelineRunRecorder.ThisProcess} ({runKind} run)", cancellationToken).ConfigureAwait(false);
        await using (lease.ConfigureAwait(false))
        {
            var results = new List<(string, StageResult, TimeSpan)>();
            foreach (var stage in PipelineStages.Sort(_stages).Where(s => wanted.Contains(s.Name)))
            {
                // The same scope as a Hangfire stage job: every line logged during the stage carries the run id.
                using var scope = _logger.BeginScope("run {RunId} stage {Stage}", runId, stage.Name);
                var (result, elapsed) = await RunStageAsync(runId, runKind, stage, progressFor, cancellationToken).ConfigureAwait(false);
                results.Add((stage.Name, result, elapsed));
            }

            await _recorder.FinishRunAsync(runId, null, CancellationToken.None).ConfigureAwait(false);
            return results;
        }
    }

    private async Task<(StageResult Result, TimeSpan Elapsed)> RunStageAsync(
        Guid runId, string runKind, IPipelineStage stage, Func<string, IProgressSink> progressFor, CancellationToken cancellationToken)
    {
        var delays = _retry.EffectiveDelaysSeconds;
        for (var retry = 0; ; retry++)
        {
            var watch = Stopwatch.StartNew();
            try
            {
                await _recorder.StartStageAsync(runId, stage.Name, cancellationToken).ConfigureAwait(false);
                Log.StageStarted(_logger, stage.Name, runKind);
                var result = await stage.RunAsync(new StageContext(runId, runKind, progressFor(stage.Name)), cancellationToken).ConfigureAwait(false);
                var totals = await _recorder.FinishStageAsync(runId, stage.Name, result, null, CancellationToken.None).ConfigureAwait(false);
                if (totals is { Attempts: > 1 })
                {
                    // The summary is this attempt's; what the earlier ones committed is in the stage's totals.
                    result = result with
                    {
                        Summary = $"{result.Summary} (attempt {totals.Attempts}; over all attempts read {totals.RowsRead}, wrote {totals.RowsWritten})",
                    };
                }

                Log.StageSucceeded(_logger, stage.Name, watch.Elapsed.TotalSeconds, result.Summary);
                return (result, watch.Elapsed);
            }
            catch (Exception e) when (WarehouseFaults.IsConnectionLoss(e) && retry < _retry.RetryAttempts && !cancellationToken.IsCancellationRequested)
            {
                var wait = TimeSpan.FromSeconds(delays[Math.Min(retry, delays.Count - 1)]);
                Log.StageLostWarehouse(_logger, stage.Name, WarehouseFaults.Reason(e), retry + 1, _retry.RetryAttempts, wait.TotalSeconds);
                await RecordFailureAsync(runId, stage.Name, e, finishRun: false).ConfigureAwait(false);
                await _recorder.WaitUntilReachableAsync(wait, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                var lost = WarehouseFaults.IsConnectionLoss(e) && !cancellationToken.IsCancellationRequested;
                if (lost)
                {
                    // Not a bug: no stack trace, the reason is enough.
                    Log.StageGaveUp(_logger, stage.Name, watch.Elapsed.TotalSeconds, WarehouseFaults.Reason(e));
                }
                else
                {
                    Log.StageFailed(_logger, e, stage.Name, watch.Elapsed.TotalSeconds);
                }

                var recorded = await RecordFailureAsync(runId, stage.Name, e, finishRun: true).ConfigureAwait(false);
                if (lost)
                {
                    throw new WarehouseLostException(
                        $"Lost the warehouse during stage '{stage.Name}' ({WarehouseFaults.Reason(e)}) and it did not come back "
                        + $"in {_retry.RetryAttempts} retries (Crm:Worker:RetryAttempts); "
                        + (recorded ? "the run is recorded as failed" : "the next run will mark this one abandoned")
                        + ". Check that PostgreSQL is up and reachable (ConnectionStrings:Warehouse), then run the command again.", e);
                }

                throw;
            }
        }
    }

    /// <summary>Records a failed attempt (and the run's end, when it is the last); false when even that could not reach the warehouse.</summary>
    private async Task<bool> RecordFailureAsync(Guid runId, string stage, Exception failure, bool finishRun)
    {
        try
        {
            await _recorder.FinishStageAsync(runId, stage, null, failure.Message, CancellationToken.None).ConfigureAwait(false);
            if (finishRun)
            {
                await _recorder.FinishRunAsync(runId, $"{stage}: {failure.Message}", CancellationToken.None).ConfigureAwait(false);
            }

            return true;
        }
        catch (Exception e) when (WarehouseFaults.IsConnectionLoss(e))
        {
            // The stage's own failure matters more; the run's lease stops with this process, so it is marked abandoned later.
            Log.FailureNotRecorded(_logger, stage, WarehouseFaults.Reason(e));
            return false;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1011, Level = LogLevel.Information, Message = "Stage {Stage} started ({RunKind} run)")]
        public static partial void StageStarted(ILogger logger, string stage, string runKind);

        [LoggerMessage(EventId = 1012, Level = LogLevel.Information, Message = "Stage {Stage} succeeded in {Seconds:0.0} s: {Summary}")]
        public static partial void StageSucceeded(ILogger logger, string stage, double seconds, string summary);

        [LoggerMessage(EventId = 1013, Level = LogLevel.Error, Message = "Stage {Stage} failed after {Seconds:0.0} s")]
        public static partial void StageFailed(ILogger logger, Exception exception, string stage, double seconds);

        [LoggerMessage(EventId = 1014, Level = LogLevel.Warning,
            Message = "Stage {Stage} lost the warehouse ({Reason}); retry {Retry} of {Retries} as soon as it answers (waiting up to {WaitSeconds} s)")]
        public static partial void StageLostWarehouse(ILogger logger, string stage, string reason, int retry, int retries, double waitSeconds);

        [LoggerMessage(EventId = 1016, Level = LogLevel.Error, Message = "Stage {Stage} failed after {Seconds:0.0} s: lost the warehouse ({Reason}) and no retry is left")]
        public static partial void StageGaveUp(ILogger logger, string stage, double seconds, string reason);

        [LoggerMessage(EventId = 1015, Level = LogLevel.Error, Message = "The failure of stage {Stage} could not be recorded: {Reason}")]
        public static partial void FailureNotRecorded(ILogger logger, string stage, string reason);
    }
}

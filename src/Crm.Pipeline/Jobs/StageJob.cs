using System.ComponentModel;
using Hangfire;
using Hangfire.Server;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Crm.Pipeline.Jobs;

/// <summary>
/// The Hangfire job that runs one pipeline stage. The nightly chain is a row of these joined
/// by continuations; an admin can enqueue any one from the dashboard or the command line.
/// </summary>
public sealed partial class StageJob
{
    private readonly IEnumerable<IPipelineStage> _stages;
    private readonly PipelineRunRecorder _recorder;
    private readonly ILogger<StageJob> _logger;
    private readonly int _retryAttempts;

    /// <summary>Created by Hangfire's activator from the service provider.</summary>
    public StageJob(IEnumerable<IPipelineStage> stages, PipelineRunRecorder recorder, ILogger<StageJob> logger, IOptions<JobRetryOptions> retry)
    {
        ArgumentNullException.ThrowIfNull(retry);
        _stages = stages;
        _recorder = recorder;
        _logger = logger;
        _retryAttempts = retry.Value.RetryAttempts;
    }

    /// <summary>
    /// Runs <paramref name="stage"/> as part of run <paramref name="runId"/>. Throws on failure so
    /// Hangfire retries with back-off (<see cref="JobRetryOptions"/>, applied as the service's global
    /// retry filter); the stage is idempotent, so a retry is safe.
    /// </summary>
    [DisplayName("{0} (run {1})")]
    public async Task RunAsync(string stage, Guid runId, string runKind, PerformContext? context, CancellationToken cancellationToken)
    {
        // First of all, so every line the job writes (the recorder's too) carries the run: one run's lines can be
        // picked out of many nodes' logs (RunId in the JSON console's Scopes, "=> run … stage …" in the plain one).
        using var scope = _logger.BeginScope("run {RunId} stage {Stage}", runId, stage);
        var target = _stages.FirstOrDefault(s => s.Name == stage)
            ?? throw new InvalidOperationException($"No pipeline stage named '{stage}' in this build.");
        await _recorder.EnsureRunAsync(runId, runKind, cancellationToken).ConfigureAwait(false);
        await using var claim = await _recorder.ClaimStageAsync(runId, stage, context?.BackgroundJob?.Id, cancellationToken).ConfigureAwait(false);
        if (claim is null)
        {
            // A duplicate chain of one firing (see EnqueueJob): the stage is done; let the chain go on.
            Log.StageAlreadyDone(_logger, stage, runId);
            return;
        }

        try
        {
            var progress = context is null ? (IProgressSink)NullProgressSink.Instance : new HangfireProgressSink(context);
            var result = await target.RunAsync(new StageContext(runId, runKind, progress), cancellationToken).ConfigureAwait(false);
            await _recorder.FinishStageAsync(runId, stage, result, null, CancellationToken.None).ConfigureAwait(false);
            Log.StageSucceeded(_logger, stage, result.Summary);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.StageFailed(_logger, e, stage);
            // After the last retry the chain stops here: the run is over, and failed.
            var last = context is not null && context.GetJobParameter<int>("RetryCount") >= _retryAttempts;
            await RecordFailureAsync(runId, stage, e, last).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Records a failed attempt (and the run's end after the last retry). The recorder rides out a restarting
    /// warehouse; should the warehouse stay away longer, the stage's own failure is what Hangfire must see (it
    /// retries the job), so a failure to record is logged, not thrown in its place.
    /// </summary>
    private async Task RecordFailureAsync(Guid runId, string stage, Exception failure, bool finishRun)
    {
        try
        {
            await _recorder.FinishStageAsync(runId, stage, null, failure.Message, CancellationToken.None).ConfigureAwait(false);
            if (finishRun)
            {
                await _recorder.FinishRunAsync(runId, $"{stage}: {failure.Message}", CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (Warehouse.WarehouseFaults.IsConnectionLoss(e))
        {
            Log.FailureNotRecorded(_logger, stage, Warehouse.WarehouseFaults.Reason(e));
        }
    }

    /// <summary>Marks a chained run finished; the last continuation of the nightly chain.</summary>
    [DisplayName("finish run {0}")]
    public async Task FinishAsync(Guid runId, CancellationToken cancellationToken)
    {
        using var scope = _logger.BeginScope("run {RunId}", runId);
        await _recorder.FinishRunAsync(runId, null, cancellationToken).ConfigureAwait(false);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Stage {Stage} succeeded: {Summary}")]
        public static partial void StageSucceeded(ILogger logger, string stage, string summary);

        [LoggerMessage(EventId = 1002, Level = LogLevel.Error, Message = "Stage {Stage} failed")]
        public static partial void StageFailed(ILogger logger, Exception exception, string stage);

        [LoggerMessage(EventId = 1004, Level = LogLevel.Error, Message = "The failure of stage {Stage} could not be recorded: {Reason}")]
        public static partial void FailureNotRecorded(ILogger logger, string stage, string reason);

        [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "Stage {Stage} already succeeded in run {RunId} under another job; skipped")]
        public static partial void StageAlreadyDone(ILogger logger, string stage, Guid runId);
    }
}

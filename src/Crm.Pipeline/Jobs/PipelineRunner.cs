using System.Diagnostics;
using Crm.Pipeline.Ops;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Crm.Pipeline.Jobs;

/// <summary>
/// Runs stages in this process, one after another, recording the run like the Hangfire chain
/// does. Used by <c>crm demo</c> and <c>crm run</c>; the service uses <see cref="NightlyChain"/>.
/// </summary>
public sealed partial class PipelineRunner
{
    private readonly IEnumerable<IPipelineStage> _stages;
    private readonly PipelineRunRecorder _recorder;
    private readonly ILogger<PipelineRunner> _logger;

    /// <summary>Creates a runner over the registered stages.</summary>
    public PipelineRunner(IEnumerable<IPipelineStage> stages, PipelineRunRecorder recorder, ILogger<PipelineRunner>? logger = null)
    {
        _stages = stages;
        _recorder = recorder;
        _logger = logger ?? NullLogger<PipelineRunner>.Instance;
    }

    /// <summary>The registered stage names, in chain order.</summary>
    public IReadOnlyList<string> StageNames => PipelineStages.Sort(_stages).Select(s => s.Name).ToList();

    /// <summary>
    /// Runs the named stages in chain order. A failing stage stops the run and is rethrown after
    /// being recorded. <paramref name="progressFor"/> gives a progress sink per stage.
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

        var (runId, _) = await _recorder.StartRunAsync(runKind, null, cancellationToken).ConfigureAwait(false);
        var results = new List<(string, StageResult, TimeSpan)>();
        foreach (var stage in PipelineStages.Sort(_stages).Where(s => wanted.Contains(s.Name)))
        {
            // The same scope as a Hangfire stage job: every line logged during the stage carries the run id.
            using var scope = _logger.BeginScope("run {RunId} stage {Stage}", runId, stage.Name);
            await _recorder.StartStageAsync(runId, stage.Name, cancellationToken).ConfigureAwait(false);
            Log.StageStarted(_logger, stage.Name, runKind);
            var watch = Stopwatch.StartNew();
            try
            {
                var result = await stage.RunAsync(new StageContext(runId, runKind, progressFor(stage.Name)), cancellationToken).ConfigureAwait(false);
                await _recorder.FinishStageAsync(runId, stage.Name, result, null, CancellationToken.None).ConfigureAwait(false);
                results.Add((stage.Name, result, watch.Elapsed));
                Log.StageSucceeded(_logger, stage.Name, watch.Elapsed.TotalSeconds, result.Summary);
            }
            catch (Exception e)
            {
                Log.StageFailed(_logger, e, stage.Name, watch.Elapsed.TotalSeconds);
                await _recorder.FinishStageAsync(runId, stage.Name, null, e.Message, CancellationToken.None).ConfigureAwait(false);
                await _recorder.FinishRunAsync(runId, $"{stage.Name}: {e.Message}", CancellationToken.None).ConfigureAwait(false);
                throw;
            }
        }

        await _recorder.FinishRunAsync(runId, null, CancellationToken.None).ConfigureAwait(false);
        return results;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1011, Level = LogLevel.Information, Message = "Stage {Stage} started ({RunKind} run)")]
        public static partial void StageStarted(ILogger logger, string stage, string runKind);

        [LoggerMessage(EventId = 1012, Level = LogLevel.Information, Message = "Stage {Stage} succeeded in {Seconds:0.0} s: {Summary}")]
        public static partial void StageSucceeded(ILogger logger, string stage, double seconds, string summary);

        [LoggerMessage(EventId = 1013, Level = LogLevel.Error, Message = "Stage {Stage} failed after {Seconds:0.0} s")]
        public static partial void StageFailed(ILogger logger, Exception exception, string stage, double seconds);
    }
}

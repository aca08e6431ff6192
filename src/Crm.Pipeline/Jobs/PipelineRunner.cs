using System.Diagnostics;
using Crm.Pipeline.Ops;

namespace Crm.Pipeline.Jobs;

/// <summary>
/// Runs stages in this process, one after another, recording the run like the Hangfire chain
/// does. Used by <c>crm demo</c> and <c>crm run</c>; the service uses <see cref="NightlyChain"/>.
/// </summary>
public sealed class PipelineRunner
{
    private readonly IEnumerable<IPipelineStage> _stages;
    private readonly PipelineRunRecorder _recorder;

    /// <summary>Creates a runner over the registered stages.</summary>
    public PipelineRunner(IEnumerable<IPipelineStage> stages, PipelineRunRecorder recorder)
    {
        _stages = stages;
        _recorder = recorder;
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
            await _recorder.StartStageAsync(runId, stage.Name, cancellationToken).ConfigureAwait(false);
            var watch = Stopwatch.StartNew();
            try
            {
                var result = await stage.RunAsync(new StageContext(runId, runKind, progressFor(stage.Name)), cancellationToken).ConfigureAwait(false);
                await _recorder.FinishStageAsync(runId, stage.Name, result, null, CancellationToken.None).ConfigureAwait(false);
                results.Add((stage.Name, result, watch.Elapsed));
            }
            catch (Exception e)
            {
                await _recorder.FinishStageAsync(runId, stage.Name, null, e.Message, CancellationToken.None).ConfigureAwait(false);
                await _recorder.FinishRunAsync(runId, $"{stage.Name}: {e.Message}", CancellationToken.None).ConfigureAwait(false);
                throw;
            }
        }

        await _recorder.FinishRunAsync(runId, null, CancellationToken.None).ConfigureAwait(false);
        return results;
    }
}

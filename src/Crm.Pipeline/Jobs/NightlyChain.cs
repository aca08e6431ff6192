using Hangfire;

namespace Crm.Pipeline.Jobs;

/// <summary>Enqueues stages as a chain of Hangfire continuations: each starts when the one before succeeded.</summary>
public static class NightlyChain
{
    /// <summary>
    /// Enqueues <paramref name="stages"/> in order for run <paramref name="runId"/>, followed by a job
    /// that closes the run. Returns the id of the first job.
    /// </summary>
    public static string Enqueue(IBackgroundJobClient client, Guid runId, string runKind, IReadOnlyList<string> stages)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(stages);
        if (stages.Count == 0)
        {
            throw new ArgumentException("A chain needs at least one stage.", nameof(stages));
        }

        var first = client.Enqueue<StageJob>(j => j.RunAsync(stages[0], runId, runKind, null, CancellationToken.None));
        var previous = first;
        for (var i = 1; i < stages.Count; i++)
        {
            var stage = stages[i];
            previous = client.ContinueJobWith<StageJob>(previous, j => j.RunAsync(stage, runId, runKind, null, CancellationToken.None));
        }

        client.ContinueJobWith<StageJob>(previous, j => j.FinishAsync(runId, CancellationToken.None));
        return first;
    }
}

using System.Collections.Concurrent;
using Hangfire.States;
using Microsoft.Extensions.Logging;

namespace Crm.Worker.Hosting;

/// <summary>
/// Hangfire's state changer with the job's run around each change, so the lines Hangfire itself writes about a run's
/// job carry its run id as the stage's own lines do: the retry filter's "Failed to process the job … Retry attempt 1
/// of 3" and "… exceeded", written while the worker elects the failed or succeeded state after the job returned, and
/// the continuations it starts. A job whose method takes a <see cref="Guid"/> parameter named <c>runId</c>
/// (<c>StageJob.RunAsync</c>, <c>StageJob.FinishAsync</c>) belongs to that run; other jobs get no scope.
/// </summary>
/// <remarks>
/// A scope begun in one state filter and ended in another could outlive a change that throws between them and then
/// name the wrong run on the worker thread's next lines; one scope around the whole change cannot.
/// </remarks>
internal sealed class RunScopedStateChanger : IBackgroundJobStateChanger
{
    /// <summary>Bounds the job-to-run memo; a night has a few dozen jobs, so a cleared memo costs a few reads.</summary>
    private const int MemoLimit = 4096;

    private readonly IBackgroundJobStateChanger _inner;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, Guid?> _runOfJob = new(StringComparer.Ordinal);

    /// <summary>Wraps <paramref name="inner"/>; scopes go to <paramref name="logger"/>'s factory, shared by every category.</summary>
    public RunScopedStateChanger(IBackgroundJobStateChanger inner, ILogger<RunScopedStateChanger> logger)
    {
        _inner = inner;
        _logger = logger;
    }

    /// <inheritdoc />
    public IState ChangeState(StateChangeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var runId = RunOf(context);
        if (runId is null)
        {
            return _inner.ChangeState(context);
        }

        using var scope = _logger.BeginScope("run {RunId}", runId.Value);
        return _inner.ChangeState(context);
    }

    private Guid? RunOf(StateChangeContext context)
    {
        if (_runOfJob.TryGetValue(context.BackgroundJobId, out var known))
        {
            return known;
        }

        var job = context.Connection.GetJobData(context.BackgroundJobId)?.Job;
        var runId = job is null ? null : RunArgument(job);
        if (_runOfJob.Count >= MemoLimit)
        {
            _runOfJob.Clear();
        }

        _runOfJob[context.BackgroundJobId] = runId;
        return runId;
    }

    /// <summary>The value of the job method's <c>Guid runId</c> parameter, if it has one.</summary>
    internal static Guid? RunArgument(Hangfire.Common.Job job)
    {
        var parameters = job.Method.GetParameters();
        for (var i = 0; i < parameters.Length && i < job.Args.Count; i++)
        {
            if (parameters[i].Name == "runId" && job.Args[i] is Guid runId)
            {
                return runId;
            }
        }

        return null;
    }
}

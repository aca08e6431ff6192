namespace Crm.Pipeline.Jobs;

/// <summary>
/// One stage of the nightly chain (ingest orders, resolve identities, train, report, …).
/// A stage reads what the stages before it wrote in the warehouse and writes its own
/// tables; it must be idempotent, because a retry after a crash runs it again.
/// </summary>
public interface IPipelineStage
{
    /// <summary>The stage's name as used on the command line, in schedules and on the dashboard.</summary>
    string Name { get; }

    /// <summary>Runs the stage once.</summary>
    Task<StageResult> RunAsync(StageContext context, CancellationToken cancellationToken);
}

/// <summary>What a stage run knows about the run it belongs to.</summary>
/// <param name="RunId">The pipeline run (nightly, demo or manual).</param>
/// <param name="RunKind">nightly | demo | manual.</param>
/// <param name="Progress">Where to report progress.</param>
public sealed record StageContext(Guid RunId, string RunKind, IProgressSink Progress);

/// <summary>A stage's outcome, recorded in <c>ops.pipeline_stage</c>.</summary>
/// <param name="RowsRead">Rows (or records) the stage read.</param>
/// <param name="RowsWritten">Rows the stage wrote.</param>
/// <param name="Summary">One line for the terminal and the dashboard.</param>
public sealed record StageResult(long RowsRead, long RowsWritten, string Summary);

/// <summary>The order in which the nightly chain runs the registered stages.</summary>
public static class PipelineStages
{
    /// <summary>Stage names in chain order. A stage not registered in this build is left out.</summary>
    public static readonly IReadOnlyList<string> Order =
    [
        "orders", "weblogs", "email", "identity", "features", "train", "score", "clv", "segments", "reports", "retention", "backup",
    ];

    /// <summary>
    /// Stages that run only on a schedule of their own or by hand, never in the nightly chain (or the demo): a backup must
    /// not wait for, nor be skipped by, a night whose earlier stage failed.
    /// </summary>
    public static readonly IReadOnlyList<string> OnTheirOwn = ["backup"];

    /// <summary>The registered stages, sorted in chain order.</summary>
    public static IReadOnlyList<IPipelineStage> Sort(IEnumerable<IPipelineStage> stages) =>
        stages.OrderBy(s => Order.IndexOf(s.Name) is var i && i < 0 ? int.MaxValue : i).ToList();

    private static int IndexOf(this IReadOnlyList<string> list, string name)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] == name)
            {
                return i;
            }
        }

        return -1;
    }
}

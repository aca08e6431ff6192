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

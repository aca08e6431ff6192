namespace Crm.Pipeline.Jobs;

/// <summary>
/// How a running pipeline run or stage shows it is alive, and how long its bookkeeping rides out a lost
/// warehouse: bound from <c>Crm:Worker</c> (<c>HeartbeatSeconds</c>, <c>BookkeepingRetrySeconds</c>).
/// </summary>
public sealed class RunLeaseOptions
{
    /// <summary>
    /// Seconds between the heartbeats of a run or stage's owner. A run or stage whose owner holds no lock and has
    /// not renewed for three heartbeats while the warehouse was up is marked abandoned. Default 15.
    /// </summary>
    public int HeartbeatSeconds { get; set; } = 15;

    /// <summary>
    /// Seconds a write to <c>ops.pipeline_run</c> / <c>ops.pipeline_stage</c> keeps retrying while the warehouse
    /// is restarting or unreachable, before it gives up. Default 60.
    /// </summary>
    public int BookkeepingRetrySeconds { get; set; } = 60;
}

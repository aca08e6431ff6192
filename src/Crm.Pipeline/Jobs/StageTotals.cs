namespace Crm.Pipeline.Jobs;

/// <summary>
/// A stage's counts in its run, summed over its attempts (<c>ops.pipeline_stage_attempt</c>), as recorded in
/// <c>ops.pipeline_stage</c> when an attempt ends.
/// </summary>
/// <param name="RowsRead">Rows read by all attempts (an attempt that failed counts the units it committed).</param>
/// <param name="RowsWritten">Rows written by all attempts.</param>
/// <param name="Attempts">How many attempts the stage took in the run.</param>
public sealed record StageTotals(long? RowsRead, long? RowsWritten, int Attempts);

namespace Crm.Pipeline.Jobs;

/// <summary>A stage's outcome, recorded in <c>ops.pipeline_stage</c>.</summary>
/// <param name="RowsRead">Rows (or records) the stage read.</param>
/// <param name="RowsWritten">Rows the stage wrote.</param>
/// <param name="Summary">One line for the terminal and the dashboard.</param>
public sealed record StageResult(long RowsRead, long RowsWritten, string Summary);

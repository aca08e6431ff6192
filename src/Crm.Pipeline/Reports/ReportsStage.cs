using Crm.Pipeline.Jobs;

namespace Crm.Pipeline.Reports;

/// <summary>
/// The <c>reports</c> stage: sends every recipient the report that is due and not yet delivered. It is
/// safe to run often (hourly from Quartz, and at the end of the nightly chain): a report already sent
/// is skipped, and a missed one goes out once, late.
/// </summary>
public sealed class ReportsStage : IPipelineStage
{
    private readonly ReportService _service;

    /// <summary>Creates the stage.</summary>
    public ReportsStage(ReportService service) => _service = service;

    /// <inheritdoc />
    public string Name => "reports";

    /// <summary>The last run's outcome in this process (the demo prints its outbox paths).</summary>
    public ReportRunSummary? LastRun { get; private set; }

    /// <inheritdoc />
    public async Task<StageResult> RunAsync(StageContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Progress.Report(0, "reports: working out what is due");
        var summary = await _service.RunAsync(cancellationToken).ConfigureAwait(false);
        LastRun = summary;
        context.Progress.Report(1, "reports: " + summary);
        return new StageResult(summary.Outcomes.Count, summary.Sent, summary.ToString());
    }
}

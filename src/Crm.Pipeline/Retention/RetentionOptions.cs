using Microsoft.Extensions.Options;

namespace Crm.Pipeline.Retention;

/// <summary>
/// How long the warehouse keeps what it no longer needs (bound from <c>Crm:Retention</c>), applied by the
/// <c>retention</c> stage at the end of the nightly chain. A window of 0 days keeps that data forever.
/// </summary>
public sealed class RetentionOptions
{
    /// <summary>Days Hangfire keeps a finished (succeeded or deleted) job before expiring it.</summary>
    public int HangfireJobDays { get; set; } = 7;

    /// <summary>Days landed rows stay in <c>staging</c> after their unit loaded (core keeps the facts).</summary>
    public int StagingDays { get; set; } = 90;

    /// <summary>Days a rejected record stays in <c>quarantine.record</c>.</summary>
    public int QuarantineDays { get; set; } = 180;

    /// <summary>Days the report archive keeps a sent report's HTML and message (the delivery row stays: it guards exactly-once).</summary>
    public int ReportArchiveDays { get; set; } = 400;

    /// <summary>Days a finished pipeline run and its stages stay in <c>ops.pipeline_run</c>.</summary>
    public int PipelineRunDays { get; set; } = 400;

    /// <summary>
    /// Days of per-customer model output history (<c>ml.churn_score</c>, <c>ml.customer_value</c>,
    /// <c>ml.customer_segment</c>, one row per customer per night) kept; each customer's latest row
    /// always stays. The default covers a year-on-year report. 0 keeps all.
    /// </summary>
    public int ScoreHistoryDays { get; set; } = 400;

    /// <summary>
    /// Trained models whose artifacts are kept, newest first; the champion and the previous champion
    /// always keep theirs. Older models keep their registry row and metrics, not the artifact. 0 keeps all.
    /// </summary>
    public int ModelArtifactsKept { get; set; } = 5;

    /// <summary>
    /// Days <c>ml.customer_features</c> keeps a cutoff that the churn calendar no longer uses, counted from when it
    /// was built. Every night moves the calendar on by a day, so without this the table gains a full cutoff (a row
    /// per customer) every night. The cutoffs the calendar uses always stay.
    /// </summary>
    public int FeatureCutoffDays { get; set; } = 7;
}

/// <summary>Checks <see cref="RetentionOptions"/> at start: every window is zero (keep) or positive.</summary>
internal sealed class RetentionOptionsValidator : IValidateOptions<RetentionOptions>
{
    public ValidateOptionsResult Validate(string? name, RetentionOptions options)
    {
        var failures = new List<string>();
        void Check(string setting, int value)
        {
            if (value < 0)
            {
                failures.Add($"Crm:Retention:{setting} must be 0 (keep forever) or more; got {value}.");
            }
        }

        Check(nameof(options.HangfireJobDays), options.HangfireJobDays);
        Check(nameof(options.StagingDays), options.StagingDays);
        Check(nameof(options.QuarantineDays), options.QuarantineDays);
        Check(nameof(options.ReportArchiveDays), options.ReportArchiveDays);
        Check(nameof(options.PipelineRunDays), options.PipelineRunDays);
        Check(nameof(options.FeatureCutoffDays), options.FeatureCutoffDays);
        Check(nameof(options.ScoreHistoryDays), options.ScoreHistoryDays);
        Check(nameof(options.ModelArtifactsKept), options.ModelArtifactsKept);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

namespace Crm.Pipeline.Churn;

/// <summary>
/// The cutoff dates of one nightly run. <see cref="AsOf"/> is "today" (scoring happens there); the
/// latest labelled cutoff is AsOf − horizon (its label window ends today); earlier cutoffs step back
/// by <see cref="ChurnOptions.CutoffStepDays"/>. A backtest fold at cutoff c trains only on cutoffs
/// whose label window ends by c (c_j + horizon ≤ c), so no fold ever sees its own future.
/// </summary>
/// <param name="AsOf">The scoring cutoff.</param>
/// <param name="LatestLabelled">The most recent cutoff with a complete label window.</param>
/// <param name="BacktestCutoffs">Test cutoffs of the backtest, oldest first (the last is <paramref name="LatestLabelled"/>).</param>
/// <param name="TrainingCutoffs">Cutoffs the deployed model is trained on, oldest first.</param>
/// <param name="HorizonDays">The churn horizon.</param>
public sealed record ChurnCalendar(
    DateOnly AsOf, DateOnly LatestLabelled, IReadOnlyList<DateOnly> BacktestCutoffs,
    IReadOnlyList<DateOnly> TrainingCutoffs, int HorizonDays)
{
    /// <summary>
    /// The hash sample (<see cref="Features.FeatureSample"/>) the features of the cutoffs before <see cref="AsOf"/>
    /// were built for; the backtest and training read that sample. <see cref="AsOf"/> always covers everyone.
    /// </summary>
    public int PastSampleSlots { get; init; } = Features.FeatureSample.All;

    /// <summary>Builds the calendar for <paramref name="asOf"/>.</summary>
    public static ChurnCalendar For(DateOnly asOf, ChurnOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var latest = asOf.AddDays(-options.HorizonDays);
        var backtest = Enumerable.Range(0, options.BacktestCutoffs)
            .Select(i => latest.AddDays(-i * options.CutoffStepDays)).Order().ToList();
        var training = Enumerable.Range(0, options.TrainingCutoffs)
            .Select(i => latest.AddDays(-i * options.CutoffStepDays)).Order().ToList();
        return new ChurnCalendar(asOf, latest, backtest, training, options.HorizonDays);
    }

    /// <summary>The training cutoffs of the fold that tests at <paramref name="testCutoff"/>: the same number of steps, ending a horizon earlier.</summary>
    public IReadOnlyList<DateOnly> FoldTrainingCutoffs(DateOnly testCutoff, ChurnOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var last = testCutoff.AddDays(-HorizonDays);
        return Enumerable.Range(0, options.TrainingCutoffs)
            .Select(i => last.AddDays(-i * options.CutoffStepDays)).Order().ToList();
    }

    /// <summary>Every cutoff whose features this run needs, oldest first.</summary>
    public IReadOnlyList<DateOnly> AllFeatureCutoffs(ChurnOptions options) =>
        BacktestCutoffs.SelectMany(c => FoldTrainingCutoffs(c, options)).Concat(BacktestCutoffs)
            .Concat(TrainingCutoffs).Append(AsOf).Distinct().Order().ToList();
}

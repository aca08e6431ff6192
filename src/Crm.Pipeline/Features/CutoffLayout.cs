namespace Crm.Pipeline.Features;

/// <summary>
/// Where the cutoffs of <c>ml.customer_features</c> lie relative to "today": the latest labelled cutoff is today −
/// <see cref="HorizonDays"/> (its label window ends today); the backtest's test cutoffs and the training cutoffs step
/// back from it by <see cref="StepDays"/>; a backtest fold that tests at cutoff c trains on cutoffs whose label window
/// ends by c (c_j + horizon ≤ c), so no fold sees its own future. The features stage builds these cutoffs; the churn
/// stages read them.
/// </summary>
/// <param name="HorizonDays">The label window.</param>
/// <param name="StepDays">Days between successive cutoffs.</param>
/// <param name="BacktestCutoffs">Number of test cutoffs of the backtest.</param>
/// <param name="TrainingCutoffs">Number of cutoffs a model is trained on.</param>
public sealed record CutoffLayout(int HorizonDays, int StepDays, int BacktestCutoffs, int TrainingCutoffs)
{
    /// <summary>The most recent cutoff with a complete label window.</summary>
    public DateOnly LatestLabelled(DateOnly asOf) => asOf.AddDays(-HorizonDays);

    /// <summary>Test cutoffs of the backtest, oldest first (the last is <see cref="LatestLabelled"/>).</summary>
    public IReadOnlyList<DateOnly> Backtest(DateOnly asOf) => Steps(LatestLabelled(asOf), BacktestCutoffs);

    /// <summary>Cutoffs the deployed model is trained on, oldest first.</summary>
    public IReadOnlyList<DateOnly> Training(DateOnly asOf) => Steps(LatestLabelled(asOf), TrainingCutoffs);

    /// <summary>The training cutoffs of the fold that tests at <paramref name="testCutoff"/>: the same number of steps, ending a horizon earlier.</summary>
    public IReadOnlyList<DateOnly> FoldTraining(DateOnly testCutoff) => Steps(testCutoff.AddDays(-HorizonDays), TrainingCutoffs);

    /// <summary>Every cutoff whose features a run as of <paramref name="asOf"/> needs, oldest first (<paramref name="asOf"/> itself included).</summary>
    public IReadOnlyList<DateOnly> All(DateOnly asOf) =>
        Backtest(asOf).SelectMany(FoldTraining).Concat(Backtest(asOf)).Concat(Training(asOf)).Append(asOf).Distinct().Order().ToList();

    private IReadOnlyList<DateOnly> Steps(DateOnly last, int count) =>
        Enumerable.Range(0, Math.Max(0, count)).Select(i => last.AddDays(-i * StepDays)).Order().ToList();
}

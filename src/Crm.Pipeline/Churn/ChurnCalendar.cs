using Crm.Pipeline.Features;
using Npgsql;

namespace Crm.Pipeline.Churn;

/// <summary>
/// The cutoff dates of one nightly run, as the churn stages read them: <see cref="AsOf"/> is "today" (scoring happens
/// there); the latest labelled cutoff is AsOf − horizon (its label window ends today); earlier cutoffs step back by the
/// features stage's <see cref="FeaturesOptions.CutoffStepDays"/> (<see cref="CutoffLayout"/>). The features stage builds
/// them; <see cref="ReadAsync"/> checks that it did.
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
    /// The hash sample (<see cref="FeatureSample"/>) the features of the cutoffs before <see cref="AsOf"/>
    /// were built for; the backtest and training read that sample. <see cref="AsOf"/> always covers everyone.
    /// </summary>
    public int PastSampleSlots { get; init; } = FeatureSample.All;

    /// <summary>Days between successive cutoffs.</summary>
    public int StepDays { get; init; } = 30;

    /// <summary>The layout of <paramref name="options"/>'s cutoffs, stepping by <paramref name="stepDays"/>.</summary>
    public static CutoffLayout Layout(ChurnOptions options, int stepDays)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new CutoffLayout(options.HorizonDays, stepDays, options.BacktestCutoffs, options.TrainingCutoffs);
    }

    /// <summary>Builds the calendar for <paramref name="asOf"/>.</summary>
    public static ChurnCalendar For(DateOnly asOf, ChurnOptions options, int stepDays)
    {
        var layout = Layout(options, stepDays);
        return new ChurnCalendar(asOf, layout.LatestLabelled(asOf), layout.Backtest(asOf), layout.Training(asOf), options.HorizonDays) { StepDays = stepDays };
    }

    /// <summary>The training cutoffs of the fold that tests at <paramref name="testCutoff"/>: the same number of steps, ending a horizon earlier.</summary>
    public IReadOnlyList<DateOnly> FoldTrainingCutoffs(DateOnly testCutoff, ChurnOptions options) =>
        Layout(options, StepDays).FoldTraining(testCutoff);

    /// <summary>Every cutoff whose features this run needs, oldest first.</summary>
    public IReadOnlyList<DateOnly> AllFeatureCutoffs(ChurnOptions options) => Layout(options, StepDays).All(AsOf);

    /// <summary>
    /// The calendar as of the configured or derived "today", read from what the features stage built
    /// (<c>ml.feature_cutoff</c>): the past cutoffs' sample, and a check that every cutoff this run needs is there.
    /// </summary>
    /// <exception cref="FeaturesMissingException">A needed cutoff was not built; the message names the settings and what to run.</exception>
    public static async Task<ChurnCalendar> ReadAsync(
        NpgsqlDataSource dataSource, ChurnOptions options, FeaturesOptions features, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(features);
        var asOf = await AsOfDay.ResolveAsync(dataSource, options.AsOf, cancellationToken).ConfigureAwait(false);
        var calendar = For(asOf, options, features.CutoffStepDays);
        var built = await FeatureCutoffs.ReadAsync(dataSource, cancellationToken).ConfigureAwait(false);
        var needed = calendar.AllFeatureCutoffs(options);
        var missing = needed.Where(c => !built.ContainsKey(c) || (c == asOf && built[c].Slots < FeatureSample.All)).ToList();
        if (missing.Count > 0)
        {
            throw new FeaturesMissingException(
                $"No features for cutoff(s) {string.Join(", ", missing.Take(4).Select(c => c.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)))}"
                + $"{(missing.Count > 4 ? $" and {missing.Count - 4} more" : "")}: run the features stage first (crm run features), and keep "
                + $"Crm:Features:HorizonDays/CutoffStepDays/BacktestCutoffs/TrainingCutoffs ({features.HorizonDays}/{features.CutoffStepDays}/{features.BacktestCutoffs}/{features.TrainingCutoffs}) "
                + $"covering Crm:Churn:HorizonDays/BacktestCutoffs/TrainingCutoffs ({options.HorizonDays}/{options.BacktestCutoffs}/{options.TrainingCutoffs}).");
        }

        var past = needed.Where(c => c != asOf).Select(c => built[c].Slots).DefaultIfEmpty(FeatureSample.All).Min();
        return calendar with { PastSampleSlots = past };
    }
}

namespace Crm.Pipeline.Churn;

/// <summary>The decision on a challenger.</summary>
/// <param name="Promote">True when the challenger becomes champion.</param>
/// <param name="Reason">Why, in words an admin reads on the dashboard.</param>
public sealed record PromotionDecision(bool Promote, string Reason);

/// <summary>
/// "Never worse than yesterday": a challenger replaces the champion only if it passes every sanity
/// check and its ROC-AUC at the latest backtest cutoff beats the champion's on the same customers by
/// more than the margin. Without a (readable) champion, a sane challenger is promoted.
/// </summary>
public static class PromotionPolicy
{
    /// <summary>
    /// Decides. <paramref name="championAuc"/> is null when there is no usable champion; <paramref name="championBasis"/>
    /// names what that AUC is in the reason ("champion", or "champion's backtest" when it is the champion's recorded one).
    /// </summary>
    public static PromotionDecision Decide(
        double challengerAuc, double? championAuc, IReadOnlyList<string> sanityFailures, double margin, string championBasis = "champion")
    {
        ArgumentNullException.ThrowIfNull(sanityFailures);
        if (sanityFailures.Count > 0)
        {
            return new PromotionDecision(false, "sanity check failed: " + string.Join("; ", sanityFailures));
        }

        if (championAuc is not { } champion)
        {
            return new PromotionDecision(true, $"no usable champion; challenger AUC {challengerAuc:F4}");
        }

        return challengerAuc > champion + margin
            ? new PromotionDecision(true, $"AUC {challengerAuc:F4} beats {championBasis} {champion:F4} by more than {margin:F4}")
            : new PromotionDecision(false, $"AUC {challengerAuc:F4} does not beat {championBasis} {champion:F4} by more than {margin:F4}");
    }

    /// <summary>The sanity checks: features present at scoring time, finite metrics, AUC floor, non-constant predictions.</summary>
    public static IReadOnlyList<string> SanityFailures(
        IReadOnlyList<string> modelFeatures, IReadOnlyList<string> scoringFeatures, IEnumerable<ChurnMetrics> backtest,
        double minimumAuc, IReadOnlyList<double> latestPredictions)
    {
        ArgumentNullException.ThrowIfNull(modelFeatures);
        ArgumentNullException.ThrowIfNull(backtest);
        ArgumentNullException.ThrowIfNull(latestPredictions);
        var failures = new List<string>();
        var missing = modelFeatures.Except(scoringFeatures).ToList();
        if (missing.Count > 0)
        {
            failures.Add("features missing at scoring time: " + string.Join(", ", missing));
        }

        var metrics = backtest.ToList();
        if (metrics.Count == 0)
        {
            failures.Add("no backtest cutoff could be evaluated");
        }

        foreach (var m in metrics)
        {
            if (!m.IsFinite)
            {
                failures.Add("a backtest metric is not a number");
            }
            else if (m.RocAuc < minimumAuc)
            {
                failures.Add($"AUC {m.RocAuc:F4} below the floor {minimumAuc:F2}");
            }
        }

        if (latestPredictions.Count > 1 && latestPredictions.Max() - latestPredictions.Min() < 1e-6)
        {
            failures.Add("predictions are constant");
        }

        return failures.Distinct().ToList();
    }
}

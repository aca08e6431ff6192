using System.Globalization;

namespace Crm.Pipeline.Churn;

/// <summary>The decision on a challenger.</summary>
/// <param name="Promote">True when the challenger becomes champion.</param>
/// <param name="Reason">Why, in words an admin reads on the dashboard.</param>
public sealed record PromotionDecision(bool Promote, string Reason);

/// <summary>The candidate that challenges the champion tonight.</summary>
/// <param name="Name">A trainer (fasttree, lightgbm, logistic) or <see cref="ChurnBacktest.BgNbd"/>.</param>
/// <param name="MeanAuc">Its mean ROC-AUC over the backtest cutoffs.</param>
/// <param name="Reason">Why it is the challenger, with every candidate's mean AUC.</param>
public sealed record ChallengerChoice(string Name, double MeanAuc, string Reason)
{
    /// <summary>True when no trained model beat BG/NBD and BG/NBD itself challenges.</summary>
    public bool IsBaseline => Name == ChurnBacktest.BgNbd;
}

/// <summary>
/// "Never worse than yesterday": every trainer and BG/NBD are backtested on the same cutoffs; the trainer
/// with the best mean ROC-AUC challenges, unless it does not beat BG/NBD by more than the margin, when BG/NBD
/// challenges instead (a trained model no better than the classic one is never promoted). The challenger
/// replaces the champion only if it passes every sanity check and its mean AUC beats the champion's recipe,
/// backtested on the same cutoffs, by more than the margin. Without a (readable) champion, a sane challenger
/// is promoted; a retrain of the champion's own recipe on newer cutoffs replaces it.
/// </summary>
public static class PromotionPolicy
{
    /// <summary>Picks tonight's challenger among <paramref name="trainers"/> and BG/NBD from the backtest.</summary>
    public static ChallengerChoice PickChallenger(BacktestReport report, IReadOnlyList<string> trainers, double margin)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(trainers);
        var cutoffs = report.Results.Select(r => r.Cutoff).Distinct().Count();
        var baseline = report.MeanAuc(ChurnBacktest.BgNbd);
        var ranked = trainers.Select(t => (Name: t, Auc: report.MeanAuc(t)))
            .Where(t => double.IsFinite(t.Auc))
            .OrderByDescending(t => t.Auc)
            .ToList();
        var all = string.Join(", ", ranked.Select(t => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{t.Name} {t.Auc:F4}"))
            .Append(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{ChurnBacktest.BgNbd} {baseline:F4}")));
        var over = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"mean AUC over {cutoffs} backtest cutoff(s): {all}");
        if (ranked.Count == 0)
        {
            return new ChallengerChoice(ChurnBacktest.BgNbd, baseline, $"no trained model could be backtested; BG/NBD challenges ({over})");
        }

        var best = ranked[0];
        if (double.IsFinite(baseline) && !(best.Auc > baseline + margin))
        {
            return new ChallengerChoice(ChurnBacktest.BgNbd, baseline, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"no trained model beats BG/NBD by more than {margin:F4}, so BG/NBD's P(no purchase) is the challenger ({over})"));
        }

        return new ChallengerChoice(best.Name, best.Auc, string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{best.Name} has the best {over}"));
    }

    /// <summary>
    /// Decides. <paramref name="championAuc"/> is null when there is no usable champion; with
    /// <paramref name="sameRecipe"/> the challenger is the champion's own trainer and settings retrained on newer cutoffs.
    /// </summary>
    public static PromotionDecision Decide(double challengerAuc, double? championAuc, IReadOnlyList<string> sanityFailures, double margin, bool sameRecipe = false)
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

        if (sameRecipe)
        {
            return new PromotionDecision(true, $"the champion's trainer and settings retrained on newer cutoffs; AUC {challengerAuc:F4} (champion {champion:F4})");
        }

        return challengerAuc > champion + margin
            ? new PromotionDecision(true, $"AUC {challengerAuc:F4} beats champion {champion:F4} by more than {margin:F4}")
            : new PromotionDecision(false, $"AUC {challengerAuc:F4} does not beat champion {champion:F4} by more than {margin:F4}");
    }

    /// <summary>
    /// Decides on BG/NBD as the challenger (no trained model beat it tonight). It replaces a trained champion whose
    /// recipe, backtested on the same cutoffs (<paramref name="championAuc"/>), does not beat BG/NBD by more than the
    /// margin either: a trained model no better than BG/NBD is never kept as champion. A BG/NBD champion is renewed.
    /// </summary>
    public static PromotionDecision DecideBaseline(
        double baselineAuc, ModelRecord? champion, double? championAuc, IReadOnlyList<string> sanityFailures, double margin)
    {
        ArgumentNullException.ThrowIfNull(sanityFailures);
        if (sanityFailures.Count > 0)
        {
            return new PromotionDecision(false, "sanity check failed: " + string.Join("; ", sanityFailures));
        }

        if (champion is null || championAuc is not { } auc)
        {
            return new PromotionDecision(true, string.Create(CultureInfo.InvariantCulture, $"no usable champion; BG/NBD AUC {baselineAuc:F4}"));
        }

        if (champion.IsBaseline)
        {
            return new PromotionDecision(true, string.Create(CultureInfo.InvariantCulture, $"BG/NBD stays the champion; AUC {baselineAuc:F4}"));
        }

        return auc > baselineAuc + margin
            ? new PromotionDecision(false, string.Create(CultureInfo.InvariantCulture,
                $"BG/NBD AUC {baselineAuc:F4} does not beat champion {champion.Trainer} {auc:F4} by more than {margin:F4}"))
            : new PromotionDecision(true, string.Create(CultureInfo.InvariantCulture,
                $"champion {champion.Trainer} AUC {auc:F4} no longer beats BG/NBD {baselineAuc:F4} by more than {margin:F4}, so BG/NBD is the champion"));
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

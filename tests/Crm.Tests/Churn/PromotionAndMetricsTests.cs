using Crm.Pipeline.Churn;

namespace Crm.Tests.Churn;

public sealed class PromotionAndMetricsTests
{
    [Fact]
    public void Decide_ChallengerNotBetterByTheMargin_KeepsTheChampion()
    {
        var d = PromotionPolicy.Decide(0.801, 0.800, [], 0.002);
        Assert.False(d.Promote);
        Assert.Contains("does not beat", d.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_ChallengerBetterByMoreThanTheMargin_Promotes() =>
        Assert.True(PromotionPolicy.Decide(0.81, 0.80, [], 0.002).Promote);

    [Fact]
    public void Decide_SanityFailure_RejectsEvenWithoutChampion()
    {
        var d = PromotionPolicy.Decide(0.9, null, ["features missing at scoring time: x"], 0.002);
        Assert.False(d.Promote);
        Assert.StartsWith("sanity", d.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void SanityFailures_ConstantPredictionsAndMissingFeatures_AreReported()
    {
        var metrics = ChurnMetrics.Compute([true, false], [0.6, 0.4]);
        var failures = PromotionPolicy.SanityFailures(["a", "b"], ["a"], [metrics], 0.55, [0.5, 0.5, 0.5]);
        Assert.Contains(failures, f => f.Contains("features missing", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("constant", StringComparison.Ordinal));
    }

    [Fact]
    public void Metrics_OnAHandWorkedExample_MatchTheDefinitions()
    {
        // Labels and scores: positives at 0.9, 0.6, 0.3; negatives at 0.8, 0.2.
        bool[] labels = [true, false, true, true, false];
        double[] scores = [0.9, 0.8, 0.6, 0.3, 0.2];
        var m = ChurnMetrics.Compute(labels, scores);
        // Pairs (pos > neg): 0.9>0.8, 0.9>0.2, 0.6>0.2, 0.3>0.2 = 4 of 6.
        Assert.Equal(4.0 / 6, m.RocAuc, 12);
        // Average precision: hits at ranks 1, 3, 4 → (1/1 + 2/3 + 3/4) / 3.
        Assert.Equal((1 + 2.0 / 3 + 3.0 / 4) / 3, m.PrAuc, 12);
        var brier = (Math.Pow(0.1, 2) + Math.Pow(0.8, 2) + Math.Pow(0.4, 2) + Math.Pow(0.7, 2) + Math.Pow(0.2, 2)) / 5;
        Assert.Equal(brier, m.Brier, 12);
        var logLoss = -(Math.Log(0.9) + Math.Log(0.2) + Math.Log(0.6) + Math.Log(0.3) + Math.Log(0.8)) / 5;
        Assert.Equal(logLoss, m.LogLoss, 12);
        // Top decile of 5 = 1 customer (0.9, a churner): lift = 1 / 0.6, capture = 1/3.
        Assert.Equal(1 / 0.6, m.LiftTopDecile, 12);
        Assert.Equal(1.0 / 3, m.CaptureTopDecile, 12);
    }

    [Fact]
    public void Metrics_TiedScores_CountHalf() =>
        Assert.Equal(0.5, ChurnMetrics.Compute([true, false], [0.5, 0.5]).RocAuc, 12);
}

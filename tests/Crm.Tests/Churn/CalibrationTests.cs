using Crm.Pipeline.Churn;

namespace Crm.Tests.Churn;

/// <summary>
/// Platt scaling fitted on one fold lowers the expected calibration error on another, and is applied only when it
/// does so at the latest training cutoff (#22).
/// </summary>
public sealed class CalibrationTests
{
    [Fact]
    public void Platt_FittedOnOneFold_LowersTheCalibrationErrorOnAHeldOutFold()
    {
        // An overconfident model: its scores s have log-odds twice the truth's, shifted by 1, so the true churn
        // probability is σ(0.5·logit(s) − 0.5). Labels are drawn from the truth; fold 1 fits, fold 2 measures.
        var random = new Random(7);
        var scores = new double[8000];
        var labels = new bool[scores.Length];
        for (var i = 0; i < scores.Length; i++)
        {
            var z = random.NextDouble() * 8 - 4;
            scores[i] = Sigmoid(z);
            labels[i] = random.NextDouble() < Sigmoid(0.5 * z - 0.5);
        }

        var fit = PlattCalibration.Fit(scores[..4000], labels[..4000]);
        var heldOut = scores[4000..];
        var heldOutLabels = labels[4000..];

        var before = Ece(heldOut, heldOutLabels);
        var after = Ece(heldOut.Select(fit.Apply).ToArray(), heldOutLabels);

        Assert.True(after < before / 2, $"ECE before {before:F4}, after {after:F4}");
        // The fit finds the distortion it was given (slope 0.5, intercept −0.5), within sampling error.
        Assert.InRange(fit.A, 0.4, 0.6);
        Assert.InRange(fit.B, -0.65, -0.35);
        // The metrics' own ECE is the same figure as the one worked here.
        Assert.Equal(before, ChurnMetrics.Compute(heldOutLabels, heldOut).ExpectedCalibrationError, 10);
    }

    [Fact]
    public void Platt_KeepsTheRanking_SoTheAucIsUnchanged()
    {
        double[] scores = [0.9, 0.8, 0.6, 0.3, 0.2, 0.1];
        bool[] labels = [true, false, true, true, false, false];
        var fit = PlattCalibration.Fit(scores, labels);
        Assert.True(fit.A > 0);
        Assert.Equal(
            ChurnMetrics.Compute(labels, scores).RocAuc,
            ChurnMetrics.Compute(labels, scores.Select(fit.Apply).ToArray()).RocAuc, 12);
    }

    [Fact]
    public void Platt_OneClassFold_IsTheIdentity() =>
        Assert.Equal(PlattCalibration.Identity, PlattCalibration.Fit([0.2, 0.7], [true, true]));

    [Fact]
    public void Choose_KeepsPlatt_WhenItLowersTheErrorAtTheLatestCutoff()
    {
        // Overconfident at both cutoffs: the fit on the older one carries over to the latest.
        var (p, y, c) = TwoCutoffs(olderSlope: 0.5, latestSlope: 0.5);
        var choice = PlattCalibration.Choose(p, y, c);

        var latest = Enumerable.Range(0, p.Length).Where(i => c[i] == Latest).ToArray();
        Assert.Equal(latest.Length, choice.HeldOutRows);
        Assert.Equal(Ece(latest.Select(i => p[i]).ToArray(), latest.Select(i => y[i]).ToArray()), choice.HeldOutEceBefore, 10);
        Assert.True(choice.Applied);
        Assert.True(choice.HeldOutEceAfter < choice.HeldOutEceBefore / 2, $"{choice.HeldOutEceBefore:F4} → {choice.HeldOutEceAfter:F4}");
        // Applied, it is the fit on the whole fold.
        Assert.Equal(PlattCalibration.Fit(p, y), choice.Calibration);
    }

    [Fact]
    public void Choose_LeavesTheModelUncalibrated_WhenPlattRaisesTheErrorAtTheLatestCutoff()
    {
        // Overconfident at the older cutoff only; at the latest the model's probabilities are right, and
        // the older cutoff's fit would flatten them.
        var (p, y, c) = TwoCutoffs(olderSlope: 0.5, latestSlope: 1);
        var choice = PlattCalibration.Choose(p, y, c);

        Assert.False(choice.Applied);
        Assert.Equal(PlattCalibration.Identity, choice.Calibration);
        Assert.True(choice.HeldOutEceAfter > choice.HeldOutEceBefore, $"{choice.HeldOutEceBefore:F4} → {choice.HeldOutEceAfter:F4}");
        Assert.Equal("latest training cutoff", choice.HeldOut);
    }

    private static readonly DateOnly Latest = new(2024, 6, 1);

    private static (double[] P, bool[] Y, DateOnly[] C) TwoCutoffs(double olderSlope, double latestSlope)
    {
        var random = new Random(11);
        var p = new double[12000];
        var y = new bool[p.Length];
        var c = new DateOnly[p.Length];
        for (var i = 0; i < p.Length; i++)
        {
            var latest = i >= 8000;
            var z = random.NextDouble() * 8 - 4;
            p[i] = Sigmoid(z);
            y[i] = random.NextDouble() < Sigmoid((latest ? latestSlope : olderSlope) * z);
            c[i] = latest ? Latest : Latest.AddDays(-30);
        }

        return (p, y, c);
    }

    private static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));

    /// <summary>Ten equal-width bins of the predicted probability: Σ (bin size / n) · |mean predicted − observed rate|.</summary>
    private static double Ece(double[] p, bool[] y)
    {
        var sum = new double[10];
        var hits = new double[10];
        var count = new int[10];
        for (var i = 0; i < p.Length; i++)
        {
            var b = Math.Min(9, (int)(p[i] * 10));
            sum[b] += p[i];
            hits[b] += y[i] ? 1 : 0;
            count[b]++;
        }

        var ece = 0.0;
        for (var b = 0; b < 10; b++)
        {
            if (count[b] > 0)
            {
                ece += (double)count[b] / p.Length * Math.Abs(sum[b] / count[b] - hits[b] / count[b]);
            }
        }

        return ece;
    }
}

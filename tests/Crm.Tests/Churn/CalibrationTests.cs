using Crm.Pipeline.Churn;

namespace Crm.Tests.Churn;

/// <summary>Platt scaling fitted on one fold lowers the expected calibration error on another (#22).</summary>
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

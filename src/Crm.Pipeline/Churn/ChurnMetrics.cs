using System.Text.Json.Serialization;

namespace Crm.Pipeline.Churn;

/// <summary>One bin of a calibration curve.</summary>
/// <param name="MeanPredicted">Mean predicted probability in the bin.</param>
/// <param name="ObservedRate">Observed churn rate in the bin.</param>
/// <param name="Count">Customers in the bin.</param>
public sealed record CalibrationBin(double MeanPredicted, double ObservedRate, int Count);

/// <summary>Metrics of churn probabilities against labels.</summary>
/// <param name="Count">Customers evaluated.</param>
/// <param name="ChurnRate">Share of churned customers.</param>
/// <param name="RocAuc">Area under the ROC curve (ties count half).</param>
/// <param name="PrAuc">Average precision (area under the precision-recall curve, step interpolation).</param>
/// <param name="LogLoss">Mean negative log-likelihood (probabilities clipped to [1e-15, 1 − 1e-15]).</param>
/// <param name="Brier">Mean squared error of the probabilities.</param>
/// <param name="LiftTopDecile">Churn rate in the riskiest 10 % divided by the overall rate.</param>
/// <param name="CaptureTopDecile">Share of all churners found in the riskiest 10 %.</param>
/// <param name="Calibration">Ten equal-width probability bins (empty bins left out).</param>
/// <param name="ExpectedCalibrationError">
/// Expected calibration error over <paramref name="Calibration"/>: Σ (bin count / customers) · |mean predicted − observed rate|
/// (NaN for a score that is not a probability).
/// </param>
public sealed record ChurnMetrics(
    int Count, double ChurnRate, double RocAuc, double PrAuc, double LogLoss, double Brier,
    double LiftTopDecile, double CaptureTopDecile, IReadOnlyList<CalibrationBin> Calibration, double ExpectedCalibrationError)
{
    /// <summary>
    /// Computes the metrics. <paramref name="scores"/> are churn probabilities; with
    /// <paramref name="probabilities"/> false they are any risk score and only the rank metrics are computed.
    /// </summary>
    public static ChurnMetrics Compute(IReadOnlyList<bool> labels, IReadOnlyList<double> scores, bool probabilities = true)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(scores);
        var n = labels.Count;
        var positives = labels.Count(l => l);
        var order = Enumerable.Range(0, n).OrderByDescending(i => scores[i]).ThenBy(i => i).ToArray();

        // ROC-AUC by ranks with ties averaged (Mann–Whitney U).
        var ascending = Enumerable.Range(0, n).OrderBy(i => scores[i]).ToArray();
        var rankSumPositive = 0.0;
        for (var i = 0; i < n;)
        {
            var j = i;
            while (j + 1 < n && scores[ascending[j + 1]] == scores[ascending[i]])
            {
                j++;
            }

            var rank = (i + j) / 2.0 + 1;
            for (var k = i; k <= j; k++)
            {
                if (labels[ascending[k]])
                {
                    rankSumPositive += rank;
                }
            }

            i = j + 1;
        }

        var negatives = n - positives;
        var auc = positives == 0 || negatives == 0 ? double.NaN
            : (rankSumPositive - (double)positives * (positives + 1) / 2.0) / ((double)positives * negatives);

        // Average precision over the descending ranking.
        var hits = 0;
        var ap = 0.0;
        for (var i = 0; i < n; i++)
        {
            if (labels[order[i]])
            {
                hits++;
                ap += (double)hits / (i + 1);
            }
        }

        ap = positives == 0 ? double.NaN : ap / positives;

        var logLoss = 0.0;
        var brier = 0.0;
        for (var i = 0; i < n; i++)
        {
            var p = Math.Clamp(scores[i], 1e-15, 1 - 1e-15);
            logLoss -= labels[i] ? Math.Log(p) : Math.Log(1 - p);
            brier += Math.Pow((labels[i] ? 1 : 0) - scores[i], 2);
        }

        var top = Math.Max(1, (int)Math.Ceiling(n * 0.1));
        var topHits = order.Take(top).Count(i => labels[i]);
        var rate = n == 0 ? double.NaN : (double)positives / n;
        var bins = Enumerable.Range(0, n)
            .GroupBy(i => Math.Min(9, (int)Math.Floor(Math.Clamp(scores[i], 0, 1) * 10)))
            .OrderBy(g => g.Key)
            .Select(g => new CalibrationBin(g.Average(i => scores[i]), g.Average(i => labels[i] ? 1.0 : 0.0), g.Count()))
            .ToList();
        if (!probabilities)
        {
            return new ChurnMetrics(n, rate, auc, ap, double.NaN, double.NaN,
                (double)topHits / top / rate, positives == 0 ? double.NaN : (double)topHits / positives, [], double.NaN);
        }

        var ece = n == 0 ? double.NaN : bins.Sum(b => (double)b.Count / n * Math.Abs(b.MeanPredicted - b.ObservedRate));
        return new ChurnMetrics(n, rate, auc, ap, logLoss / n, brier / n,
            (double)topHits / top / rate, positives == 0 ? double.NaN : (double)topHits / positives, bins, ece);
    }

    /// <summary>True when every headline metric is a finite number.</summary>
    [JsonIgnore]
    public bool IsFinite => double.IsFinite(RocAuc) && double.IsFinite(PrAuc) && double.IsFinite(LogLoss) && double.IsFinite(Brier);
}

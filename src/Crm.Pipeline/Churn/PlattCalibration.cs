namespace Crm.Pipeline.Churn;

/// <summary>
/// Platt scaling: calibrated p = σ(A·logit(p) + B), fitted by maximum likelihood (Newton's method) on a fold
/// the model was not trained on, with Platt's smoothed targets ((N₊+1)/(N₊+2) and 1/(N₋+2)) so a small fold
/// cannot push a probability to 0 or 1. With A &gt; 0 it keeps every customer's rank, so the AUC is unchanged.
/// </summary>
/// <param name="A">Slope on the model's log-odds.</param>
/// <param name="B">Intercept.</param>
public sealed record PlattCalibration(double A, double B)
{
    /// <summary>The identity (A = 1, B = 0): probabilities pass through unchanged.</summary>
    public static readonly PlattCalibration Identity = new(1, 0);

    /// <summary>The calibrated probability of <paramref name="probability"/>.</summary>
    public double Apply(double probability)
    {
        var z = A * Logit(probability) + B;
        return 1 / (1 + Math.Exp(-z));
    }

    /// <summary>
    /// Fits A and B on <paramref name="probabilities"/> and <paramref name="labels"/>; the identity when the fold
    /// has one class only or the fit would reverse the ranking (A ≤ 0: the model carries no signal there).
    /// </summary>
    public static PlattCalibration Fit(IReadOnlyList<double> probabilities, IReadOnlyList<bool> labels)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentNullException.ThrowIfNull(labels);
        var n = probabilities.Count;
        var positives = labels.Count(l => l);
        if (positives == 0 || positives == n)
        {
            return Identity;
        }

        var hi = (positives + 1.0) / (positives + 2.0);
        var lo = 1.0 / (n - positives + 2.0);
        var s = new double[n];
        var t = new double[n];
        for (var i = 0; i < n; i++)
        {
            s[i] = Logit(probabilities[i]);
            t[i] = labels[i] ? hi : lo;
        }

        double a = 1, b = 0;
        var loss = Loss(s, t, a, b);
        for (var iteration = 0; iteration < 100; iteration++)
        {
            double gA = 0, gB = 0, hAA = 1e-12, hAB = 0, hBB = 1e-12;
            for (var i = 0; i < n; i++)
            {
                var p = 1 / (1 + Math.Exp(-(a * s[i] + b)));
                var d = p - t[i];
                var w = p * (1 - p);
                gA += d * s[i];
                gB += d;
                hAA += w * s[i] * s[i];
                hAB += w * s[i];
                hBB += w;
            }

            var det = hAA * hBB - hAB * hAB;
            if (!(Math.Abs(det) > 1e-300))
            {
                break;
            }

            var stepA = (hBB * gA - hAB * gB) / det;
            var stepB = (hAA * gB - hAB * gA) / det;
            var scale = 1.0;
            double newA, newB, newLoss;
            do
            {
                newA = a - scale * stepA;
                newB = b - scale * stepB;
                newLoss = Loss(s, t, newA, newB);
                scale /= 2;
            }
            while (newLoss > loss + 1e-12 && scale > 1e-10);

            var converged = Math.Abs(newA - a) < 1e-10 && Math.Abs(newB - b) < 1e-10;
            (a, b, loss) = (newA, newB, newLoss);
            if (converged)
            {
                break;
            }
        }

        return a > 0 && double.IsFinite(a) && double.IsFinite(b) ? new PlattCalibration(a, b) : Identity;
    }

    /// <summary>
    /// Fits Platt scaling on the fold and keeps it only when it lowers both the expected calibration error and the
    /// log-loss on fold rows it was not fitted on. With rows of several cutoffs (<paramref name="cutoffs"/>), it is fitted on the earlier
    /// cutoffs and measured on the latest, as a model is calibrated on the past and then scores the next cutoff;
    /// with one cutoff, on alternate rows. A model trained on log-loss (logistic regression) is often calibrated
    /// already, and a second fit on a few thousand rows of older cutoffs can make it worse (#22).
    /// The calibration returned is fitted on the whole fold, or is <see cref="Identity"/>.
    /// </summary>
    public static CalibrationChoice Choose(IReadOnlyList<double> probabilities, IReadOnlyList<bool> labels, IReadOnlyList<DateOnly> cutoffs)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(cutoffs);
        var latest = cutoffs.Count == 0 ? default : cutoffs.Max();
        var byTime = cutoffs.Distinct().Count() > 1;
        var fitRows = new List<int>();
        var testRows = new List<int>();
        for (var i = 0; i < probabilities.Count; i++)
        {
            var heldOut = byTime ? cutoffs[i] == latest : i % 2 == 1;
            (heldOut ? testRows : fitRows).Add(i);
        }

        var test = testRows.Select(i => probabilities[i]).ToArray();
        var testLabels = testRows.Select(i => labels[i]).ToArray();
        var trial = Fit(fitRows.Select(i => probabilities[i]).ToArray(), fitRows.Select(i => labels[i]).ToArray());
        var raw = test.Length == 0 ? null : ChurnMetrics.Compute(testLabels, test);
        var fitted = test.Length == 0 ? null : ChurnMetrics.Compute(testLabels, test.Select(trial.Apply).ToArray());
        var before = raw?.ExpectedCalibrationError ?? double.NaN;
        var after = fitted?.ExpectedCalibrationError ?? double.NaN;
        // ECE over ten bins of a few hundred rows moves by a few hundredths by chance alone; the log-loss, a proper
        // scoring rule over every row, must agree that the calibration helps, or the model is left as trained.
        var apply = trial != Identity && after < before && fitted!.LogLoss < raw!.LogLoss;
        return new CalibrationChoice(apply ? Fit(probabilities, labels) : Identity, before, after, test.Length, byTime ? "latest training cutoff" : "alternate rows");
    }

    private static double Logit(double p)
    {
        var c = Math.Clamp(p, 1e-7, 1 - 1e-7);
        return Math.Log(c / (1 - c));
    }

    private static double Loss(double[] s, double[] t, double a, double b)
    {
        var loss = 0.0;
        for (var i = 0; i < s.Length; i++)
        {
            var z = a * s[i] + b;
            // log(1 + e^z) − t·z, written to stay finite for large |z|.
            loss += (z > 0 ? z + Math.Log(1 + Math.Exp(-z)) : Math.Log(1 + Math.Exp(z))) - t[i] * z;
        }

        return loss;
    }
}

/// <summary>Whether a model's Platt calibration is applied, and the held-out figures that decided it.</summary>
/// <param name="Calibration">The calibration applied (<see cref="PlattCalibration.Identity"/> when none).</param>
/// <param name="HeldOutEceBefore">Expected calibration error of the held-out rows without calibration.</param>
/// <param name="HeldOutEceAfter">The same with the calibration fitted on the other rows.</param>
/// <param name="HeldOutRows">Rows the choice was measured on.</param>
/// <param name="HeldOut">Which rows were held out: the latest training cutoff's or alternate rows.</param>
public sealed record CalibrationChoice(PlattCalibration Calibration, double HeldOutEceBefore, double HeldOutEceAfter, int HeldOutRows, string HeldOut)
{
    /// <summary>True when a calibration other than the identity is applied.</summary>
    public bool Applied => Calibration != PlattCalibration.Identity;
}

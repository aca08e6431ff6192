using static MathNet.Numerics.SpecialFunctions;

namespace Crm.Pipeline.Features;

/// <summary>
/// The BG/NBD model (Fader, Hardie &amp; Lee 2005, "Counting Your Customers the Easy Way"): purchases
/// follow a Poisson process with gamma(r, α) distributed rates while alive; after each purchase a
/// customer drops out with a beta(a, b) distributed probability.
/// </summary>
/// <param name="R">Shape of the purchase-rate gamma.</param>
/// <param name="Alpha">Scale of the purchase-rate gamma (in the time unit of the data).</param>
/// <param name="A">First beta parameter of the dropout probability.</param>
/// <param name="B">Second beta parameter of the dropout probability.</param>
/// <param name="LogLikelihood">Log-likelihood of the data the model was fitted on (NaN when not fitted).</param>
public sealed record BgNbdModel(double R, double Alpha, double A, double B, double LogLikelihood)
{
    /// <summary>Fits the model by maximum likelihood.</summary>
    /// <exception cref="ArgumentException">Fewer than two customers.</exception>
    public static BgNbdModel Fit(IReadOnlyList<CustomerSummary> customers)
    {
        ArgumentNullException.ThrowIfNull(customers);
        if (customers.Count < 2)
        {
            throw new ArgumentException("BG/NBD needs at least two customers.", nameof(customers));
        }

        var data = new Prepared(customers);
        var (p, ll) = ModelFitter.Maximise(q => data.LogLikelihood(q[0], q[1], q[2], q[3]), [1, 1, 1, 1]);
        return new BgNbdModel(p[0], p[1], p[2], p[3], ll);
    }

    /// <summary>The log-likelihood of <paramref name="customers"/> under the given parameters.</summary>
    public static double TotalLogLikelihood(IReadOnlyList<CustomerSummary> customers, double r, double alpha, double a, double b)
    {
        ArgumentNullException.ThrowIfNull(customers);
        return new Prepared(customers).LogLikelihood(r, alpha, a, b);
    }

    /// <summary>
    /// The data laid out for fast likelihood evaluation: the log-gamma terms depend on the customer only
    /// through x, which takes few distinct values, so they are computed once per distinct x per evaluation.
    /// </summary>
    private sealed class Prepared
    {
        private readonly double[] _t;
        private readonly double[] _tx;
        private readonly int[] _xIndex;
        private readonly double[] _distinctX;

        public Prepared(IReadOnlyList<CustomerSummary> customers)
        {
            _t = new double[customers.Count];
            _tx = new double[customers.Count];
            _xIndex = new int[customers.Count];
            var index = new Dictionary<double, int>();
            for (var i = 0; i < customers.Count; i++)
            {
                var c = customers[i];
                _t[i] = c.Age;
                _tx[i] = c.Recency;
                if (!index.TryGetValue(c.Frequency, out var k))
                {
                    k = index.Count;
                    index[c.Frequency] = k;
                }

                _xIndex[i] = k;
            }

            _distinctX = new double[index.Count];
            foreach (var (x, k) in index)
            {
                _distinctX[k] = x;
            }
        }

        public double LogLikelihood(double r, double alpha, double a, double b)
        {
            var common = -GammaLn(r) + r * Math.Log(alpha) + GammaLn(a + b) - GammaLn(b);
            var perX = new double[_distinctX.Length];
            var logA4 = new double[_distinctX.Length];
            for (var k = 0; k < perX.Length; k++)
            {
                var x = _distinctX[k];
                perX[k] = common + GammaLn(r + x) + GammaLn(b + x) - GammaLn(a + b + x);
                logA4[k] = x > 0 ? Math.Log(a) - Math.Log(b + x - 1) : double.NegativeInfinity;
            }

            var sum = 0.0;
            for (var i = 0; i < _t.Length; i++)
            {
                var k = _xIndex[i];
                var rx = r + _distinctX[k];
                var a3 = -rx * Math.Log(alpha + _t[i]);
                sum += perX[k] + (_distinctX[k] > 0 ? Hypergeometric.LogSumExp(a3, logA4[k] - rx * Math.Log(alpha + _tx[i])) : a3);
            }

            return sum;
        }
    }

    /// <summary>Probability that a customer with this history is still alive at the end of the window.</summary>
    public double ProbabilityAlive(CustomerSummary c)
    {
        if (c.Frequency <= 0)
        {
            return 1;
        }

        var logRatio = Math.Log(A) - Math.Log(B + c.Frequency - 1)
            + (R + c.Frequency) * (Math.Log(Alpha + c.Age) - Math.Log(Alpha + c.Recency));
        return 1 / (1 + Math.Exp(logRatio));
    }

    /// <summary>
    /// Probability of no purchase in the next <paramref name="t"/> time units: a dead customer buys nothing;
    /// an alive one (who cannot drop out before the next purchase) has posterior rate gamma(r + x, α + T).
    /// </summary>
    public double ProbabilityNoPurchase(CustomerSummary c, double t)
    {
        var alive = ProbabilityAlive(c);
        return 1 - alive + alive * Math.Exp((R + c.Frequency) * Math.Log((Alpha + c.Age) / (Alpha + c.Age + t)));
    }

    /// <summary>Expected number of purchases in the next <paramref name="t"/> time units, given the history.</summary>
    public double ExpectedPurchases(CustomerSummary c, double t)
    {
        var x = c.Frequency;
        var z = t / (Alpha + c.Age + t);
        var hyp = Hypergeometric.Hyp2F1(R + x, B + x, A + B + x - 1, z);
        var numerator = (A + B + x - 1) / (A - 1)
            * (1 - Math.Exp((R + x) * Math.Log((Alpha + c.Age) / (Alpha + c.Age + t))) * hyp);
        var denominator = x > 0
            ? 1 + A / (B + x - 1) * Math.Exp((R + x) * Math.Log((Alpha + c.Age) / (Alpha + c.Recency)))
            : 1;
        return numerator / denominator;
    }

    /// <summary>Expected number of purchases of a new customer in its first <paramref name="t"/> time units.</summary>
    public double ExpectedPurchasesNewCustomer(double t)
    {
        var hyp = Hypergeometric.Hyp2F1(R, B, A + B - 1, t / (Alpha + t));
        return (A + B - 1) / (A - 1) * (1 - Math.Pow(Alpha / (Alpha + t), R) * hyp);
    }
}

using Crm.Pipeline.Features;
using static MathNet.Numerics.SpecialFunctions;

namespace Crm.Pipeline.Clv;

/// <summary>
/// The Pareto/NBD model (Schmittlein, Morrison &amp; Colombo 1987), likelihood as in Fader &amp; Hardie's
/// note "A Note on Deriving the Pareto/NBD Model and Related Expressions" (2005): Poisson purchases with
/// gamma(r, α) rates, exponential lifetimes with gamma(s, β) dropout rates.
/// </summary>
/// <param name="R">Shape of the purchase-rate gamma.</param>
/// <param name="Alpha">Scale of the purchase-rate gamma.</param>
/// <param name="S">Shape of the dropout-rate gamma.</param>
/// <param name="Beta">Scale of the dropout-rate gamma.</param>
/// <param name="LogLikelihood">Log-likelihood of the fitted data.</param>
public sealed record ParetoNbdModel(double R, double Alpha, double S, double Beta, double LogLikelihood)
{
    /// <summary>Fits the model by maximum likelihood.</summary>
    /// <exception cref="ArgumentException">Fewer than two customers.</exception>
    public static ParetoNbdModel Fit(IReadOnlyList<CustomerSummary> customers)
    {
        ArgumentNullException.ThrowIfNull(customers);
        if (customers.Count < 2)
        {
            throw new ArgumentException("Pareto/NBD needs at least two customers.", nameof(customers));
        }

        var (p, ll) = ModelFitter.Maximise(q => TotalLogLikelihood(customers, q[0], q[1], q[2], q[3]), [1, 10, 1, 10]);
        return new ParetoNbdModel(p[0], p[1], p[2], p[3], ll);
    }

    /// <summary>The log-likelihood of <paramref name="customers"/> under the given parameters.</summary>
    public static double TotalLogLikelihood(IReadOnlyList<CustomerSummary> customers, double r, double alpha, double s, double beta)
    {
        ArgumentNullException.ThrowIfNull(customers);
        var sum = 0.0;
        foreach (var c in customers)
        {
            sum += CustomerLogLikelihood(c, r, alpha, s, beta);
        }

        return sum;
    }

    private static double CustomerLogLikelihood(CustomerSummary c, double r, double alpha, double s, double beta)
    {
        var x = c.Frequency;
        var rsx = r + s + x;
        // The 2F1 argument must lie in [0, 1): expand around the larger of α and β.
        double maxAB, absDiff, secondParam;
        if (alpha >= beta)
        {
            maxAB = alpha;
            absDiff = alpha - beta;
            secondParam = s + 1;
        }
        else
        {
            maxAB = beta;
            absDiff = beta - alpha;
            secondParam = r + x;
        }

        var logF1 = Math.Log(Hypergeometric.Hyp2F1(rsx, secondParam, rsx + 1, absDiff / (maxAB + c.Recency)))
            - rsx * Math.Log(maxAB + c.Recency);
        var logF2 = Math.Log(Hypergeometric.Hyp2F1(rsx, secondParam, rsx + 1, absDiff / (maxAB + c.Age)))
            - rsx * Math.Log(maxAB + c.Age);
        // A0 = F1 − F2 > 0 because t_x ≤ T; computed as exp(logF1)·(1 − exp(logF2 − logF1)).
        var logA0 = logF1 + Math.Log(1 - Math.Exp(logF2 - logF1));
        var logFirst = -(r + x) * Math.Log(alpha + c.Age) - s * Math.Log(beta + c.Age);
        var logSecond = Math.Log(s) - Math.Log(rsx) + logA0;
        return GammaLn(r + x) - GammaLn(r) + r * Math.Log(alpha) + s * Math.Log(beta)
            + (c.Recency < c.Age ? Hypergeometric.LogSumExp(logFirst, logSecond) : logFirst);
    }

    /// <summary>Probability that a customer with this history is still alive at the end of the window.</summary>
    public double ProbabilityAlive(CustomerSummary c)
    {
        var ll = CustomerLogLikelihood(c, R, Alpha, S, Beta);
        var x = c.Frequency;
        var logAliveTerm = GammaLn(R + x) - GammaLn(R) + R * Math.Log(Alpha) + S * Math.Log(Beta)
            - (R + x) * Math.Log(Alpha + c.Age) - S * Math.Log(Beta + c.Age);
        return Math.Min(1, Math.Exp(logAliveTerm - ll));
    }

    /// <summary>Expected number of purchases in the next <paramref name="t"/> time units, given the history.</summary>
    public double ExpectedPurchases(CustomerSummary c, double t)
    {
        var x = c.Frequency;
        var pAlive = ProbabilityAlive(c);
        return pAlive * (R + x) * (Beta + c.Age) / ((Alpha + c.Age) * (S - 1))
            * (1 - Math.Pow((Beta + c.Age) / (Beta + c.Age + t), S - 1));
    }
}

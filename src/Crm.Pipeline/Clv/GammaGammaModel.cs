using Crm.Pipeline.Features;
using static MathNet.Numerics.SpecialFunctions;

namespace Crm.Pipeline.Clv;

/// <summary>
/// The Gamma-Gamma spend model (Fader, Hardie &amp; Lee 2005; Fader &amp; Hardie 2013, "The Gamma-Gamma
/// Model of Monetary Value"): a customer's transaction values are gamma(p, ν) with ν ~ gamma(q, γ).
/// Fitted on repeat buyers only (x &gt; 0), with their mean repeat-transaction value.
/// </summary>
/// <param name="P">Shape of the transaction-value gamma.</param>
/// <param name="Q">Shape of the ν gamma.</param>
/// <param name="Gamma">Scale of the ν gamma.</param>
/// <param name="LogLikelihood">Log-likelihood of the fitted data.</param>
public sealed record GammaGammaModel(double P, double Q, double Gamma, double LogLikelihood)
{
    /// <summary>Fits the model on the customers with at least one repeat purchase and a positive mean value.</summary>
    /// <exception cref="ArgumentException">Fewer than two such customers.</exception>
    public static GammaGammaModel Fit(IReadOnlyList<CustomerSummary> customers)
    {
        ArgumentNullException.ThrowIfNull(customers);
        var repeat = customers.Where(c => c.Frequency > 0 && c.MonetaryValue > 0).ToList();
        if (repeat.Count < 2)
        {
            throw new ArgumentException("Gamma-Gamma needs at least two repeat buyers with a positive spend.", nameof(customers));
        }

        var (p, ll) = ModelFitter.Maximise(q => TotalLogLikelihood(repeat, q[0], q[1], q[2]), [1, 1, 1]);
        return new GammaGammaModel(p[0], p[1], p[2], ll);
    }

    /// <summary>The log-likelihood of the repeat buyers among <paramref name="customers"/>.</summary>
    public static double TotalLogLikelihood(IReadOnlyList<CustomerSummary> customers, double p, double q, double gamma)
    {
        ArgumentNullException.ThrowIfNull(customers);
        var sum = 0.0;
        foreach (var c in customers)
        {
            var x = c.Frequency;
            var m = c.MonetaryValue;
            if (x <= 0 || m <= 0)
            {
                continue;
            }

            sum += GammaLn(p * x + q) - GammaLn(p * x) - GammaLn(q) + q * Math.Log(gamma)
                + (p * x - 1) * Math.Log(m) + p * x * Math.Log(x) - (p * x + q) * Math.Log(gamma + m * x);
        }

        return sum;
    }

    /// <summary>Expected mean transaction value of a customer with this history (population mean when x = 0).</summary>
    public double ExpectedAverageValue(CustomerSummary c)
    {
        var x = c.Frequency;
        var m = x > 0 ? c.MonetaryValue : 0;
        return (Gamma + m * x) * P / (P * x + Q - 1);
    }
}

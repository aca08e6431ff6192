namespace Crm.Pipeline.Features;

/// <summary>
/// The Gauss hypergeometric function 2F1(a, b; c; z) for 0 ≤ z &lt; 1.
/// MathNet.Numerics 5 has no 2F1, so this is our own: the plain power series
/// Σ (a)_k (b)_k / ((c)_k k!) z^k, summed term by term with the ratio of successive terms.
/// The BG/NBD and Pareto/NBD formulas only call it with 0 ≤ z &lt; 1 and positive b, c, where the
/// series converges geometrically at rate z. Terms can grow before they shrink (large a·b/c), so we
/// stop only after the terms have started to shrink and are below 1e-15 of the sum. Near z = 1 the
/// series needs many terms; we allow up to 1e6 and throw rather than return a wrong value.
/// </summary>
internal static class Hypergeometric
{
    private const int MaxTerms = 1_000_000;

    /// <summary>2F1(a, b; c; z) by its power series; throws if z is outside [0, 1) or the series does not converge.</summary>
    public static double Hyp2F1(double a, double b, double c, double z)
    {
        if (!(z >= 0 && z < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(z), z, "2F1 series is implemented for 0 <= z < 1 only.");
        }

        if (z == 0)
        {
            return 1;
        }

        var term = 1.0;
        var sum = 1.0;
        for (var k = 0; k < MaxTerms; k++)
        {
            var ratio = (a + k) * (b + k) / ((c + k) * (k + 1)) * z;
            term *= ratio;
            sum += term;
            if (Math.Abs(ratio) < 1 && Math.Abs(term) <= 1e-15 * Math.Abs(sum))
            {
                return sum;
            }

            if (double.IsInfinity(sum) || double.IsNaN(sum))
            {
                return sum;
            }
        }

        throw new InvalidOperationException($"2F1({a}, {b}; {c}; {z}) did not converge in {MaxTerms} terms.");
    }

    /// <summary>Log-sum-exp of two values, stable for large magnitudes.</summary>
    public static double LogSumExp(double x, double y)
    {
        var m = Math.Max(x, y);
        if (double.IsNegativeInfinity(m))
        {
            return m;
        }

        return m + Math.Log(Math.Exp(x - m) + Math.Exp(y - m));
    }
}

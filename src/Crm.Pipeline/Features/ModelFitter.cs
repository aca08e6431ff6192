using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;

namespace Crm.Pipeline.Features;

/// <summary>
/// Maximum-likelihood fitting shared by the CLV models: MathNet's Nelder–Mead simplex on the
/// logarithms of the (positive) parameters, restarted from its own optimum until the
/// log-likelihood stops improving, because a single simplex run can stall on the flat ridges
/// these likelihoods have. Parameters are kept within e^±12: on small or degenerate data the
/// likelihood can keep rising towards a boundary (a → 0, α → ∞) and the simplex would never stop.
/// </summary>
internal static class ModelFitter
{
    private const double Bound = 12;

    public static (double[] Parameters, double LogLikelihood) Maximise(Func<double[], double> logLikelihood, double[] start)
    {
        var guess = Vector<double>.Build.DenseOfEnumerable(start.Select(v => Math.Log(v)));
        var bestValue = double.MaxValue;
        Vector<double> bestPoint = guess.Clone();
        var objective = ObjectiveFunction.Value(v =>
        {
            var p = new double[v.Count];
            for (var i = 0; i < p.Length; i++)
            {
                if (Math.Abs(v[i]) > Bound)
                {
                    return double.MaxValue;
                }

                p[i] = Math.Exp(v[i]);
            }

            var ll = logLikelihood(p);
            var value = double.IsFinite(ll) ? -ll : double.MaxValue;
            if (value < bestValue)
            {
                bestValue = value;
                bestPoint = v.Clone();
            }

            return value;
        });

        var previous = double.MaxValue;
        for (var round = 0; round < 20; round++)
        {
            try
            {
                new NelderMeadSimplex(1e-10, 20_000).FindMinimum(objective, bestPoint);
            }
            catch (MaximumIterationsException)
            {
                // The simplex crawls along a ridge; the best point seen so far is kept and the next round restarts from it.
            }

            if (previous - bestValue < 1e-7)
            {
                break;
            }

            previous = bestValue;
        }

        return (bestPoint.Select(v => Math.Exp(v)).ToArray(), -bestValue);
    }
}

using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;

namespace Crm.Pipeline.Clv;

/// <summary>
/// Maximum-likelihood fitting shared by the CLV models: MathNet's Nelder–Mead simplex on the
/// logarithms of the (positive) parameters, restarted from its own optimum until the
/// log-likelihood stops improving, because a single simplex run can stall on the flat ridges
/// these likelihoods have.
/// </summary>
internal static class ModelFitter
{
    public static (double[] Parameters, double LogLikelihood) Maximise(Func<double[], double> logLikelihood, double[] start)
    {
        var guess = Vector<double>.Build.DenseOfEnumerable(start.Select(v => Math.Log(v)));
        var objective = ObjectiveFunction.Value(v =>
        {
            var p = new double[v.Count];
            for (var i = 0; i < p.Length; i++)
            {
                p[i] = Math.Exp(v[i]);
            }

            var ll = logLikelihood(p);
            return double.IsFinite(ll) ? -ll : double.MaxValue;
        });

        var best = double.MaxValue;
        for (var round = 0; round < 20; round++)
        {
            var solver = new NelderMeadSimplex(1e-12, 20_000);
            var result = solver.FindMinimum(objective, guess);
            guess = result.MinimizingPoint;
            var value = result.FunctionInfoAtMinimum.Value;
            var improved = best - value;
            best = value;
            if (round > 0 && improved < 1e-9)
            {
                break;
            }
        }

        return (guess.Select(v => Math.Exp(v)).ToArray(), -best);
    }
}

using System.Text.Json.Serialization;

namespace Crm.Pipeline.Identity;

/// <summary>
/// A Fellegi–Sunter model: for every field and comparison level, m = P(level | match) and
/// u = P(level | non-match), and λ = the share of matches among candidate pairs. A pair's match
/// weight is log2(λ/(1−λ)) + Σ log2(m/u) over its non-missing fields.
/// </summary>
public sealed class FellegiSunterModel
{
    /// <summary>Prior probability that a candidate pair is a match.</summary>
    public double Lambda { get; set; }

    /// <summary>m probabilities, [field][level].</summary>
    public double[][] M { get; set; } = [];

    /// <summary>u probabilities, [field][level].</summary>
    public double[][] U { get; set; } = [];

    /// <summary>Fields that took part (had values in the training pairs).</summary>
    public bool[] Active { get; set; } = [];

    /// <summary>EM iterations run to fit the model.</summary>
    public int Iterations { get; set; }

    /// <summary>The weight (log2 m/u) of a field at a level; 0 for a missing value or an inactive field.</summary>
    /// <remarks>
    /// Unsupervised EM can settle on a class that is not "same person" (say, "same street"); to keep
    /// the weights meaningful, disagreement never counts for a match and exact agreement never against.
    /// </remarks>
    public double Weight(int field, int level)
    {
        if (level < 0 || !Active[field])
        {
            return 0;
        }

        var w = Math.Log2(M[field][level] / U[field][level]);
        return level == 0 ? Math.Min(w, 0) : level == M[field].Length - 1 ? Math.Max(w, 0) : w;
    }

    /// <summary>How much a term-frequency adjustment may lower (bits) an exact agreement's weight.</summary>
    internal const double MaxFrequencyPenalty = 4;

    /// <summary>How much a term-frequency adjustment may raise (bits) an exact agreement's weight.</summary>
    internal const double MaxFrequencyBonus = 3;

    /// <summary>Value frequencies of the records being resolved (set for each run, never stored).</summary>
    [JsonIgnore]
    internal TermFrequencies? Frequencies { get; set; }

    /// <summary>
    /// The term-frequency adjustment of one field for two records: for an exact agreement on a value
    /// v, log2(u_exact / share(v)), so a value rarer than the average agreement weighs more and a
    /// common one less; bounded, and never below zero in total (exact agreement never counts against).
    /// </summary>
    internal double FrequencyAdjustment(int field, ulong pattern, MatchRecord a, MatchRecord b)
    {
        var top = M.Length > field ? M[field].Length - 1 : -1;
        if (Frequencies is null || top < 0 || !Active[field] || PairComparer.Level(pattern, field) != top)
        {
            return 0;
        }

        var v = a.Values[field];
        if (v is null || !string.Equals(v, b.Values[field], StringComparison.Ordinal))
        {
            return 0;
        }

        var share = Frequencies.Share((MatchField)field, v);
        if (share <= 0)
        {
            return 0;
        }

        var adjust = Math.Clamp(Math.Log2(U[field][top] / share), -MaxFrequencyPenalty, MaxFrequencyBonus);
        return Math.Max(adjust, -Weight(field, top));
    }

    /// <summary>Every field's term-frequency adjustment, indexed by field.</summary>
    internal double[] FrequencyAdjustments(ulong pattern, MatchRecord a, MatchRecord b)
    {
        var adjust = new double[MatchRecord.FieldCount];
        foreach (var f in TermFrequencies.Fields)
        {
            adjust[(int)f] = FrequencyAdjustment((int)f, pattern, a, b);
        }

        return adjust;
    }

    /// <summary>The sum of the term-frequency adjustments of two records.</summary>
    internal double FrequencyAdjustment(ulong pattern, MatchRecord a, MatchRecord b)
    {
        var sum = 0.0;
        foreach (var f in TermFrequencies.Fields)
        {
            sum += FrequencyAdjustment((int)f, pattern, a, b);
        }

        return sum;
    }

    /// <summary>The match weight of two records: the pattern's weight plus the term-frequency adjustments.</summary>
    internal double MatchWeight(ulong pattern, MatchRecord a, MatchRecord b) => MatchWeight(pattern) + FrequencyAdjustment(pattern, a, b);

    /// <summary>The match probability of two records, term frequencies included.</summary>
    internal double Probability(ulong pattern, MatchRecord a, MatchRecord b) => ToProbability(MatchWeight(pattern, a, b));

    /// <summary>1 / (1 + 2^−weight).</summary>
    internal static double ToProbability(double weight) => 1.0 / (1.0 + Math.Pow(2, -weight));

    /// <summary>The total match weight of a packed comparison pattern.</summary>
    internal double MatchWeight(ulong pattern)
    {
        var w = Math.Log2(Lambda / (1 - Lambda));
        for (var f = 0; f < MatchRecord.FieldCount; f++)
        {
            w += Weight(f, PairComparer.Level(pattern, f));
        }

        return w;
    }

    /// <summary>The match probability of a packed comparison pattern.</summary>
    internal double Probability(ulong pattern) => 1.0 / (1.0 + Math.Pow(2, -MatchWeight(pattern)));

    /// <summary>A fresh model with neutral starting values: m favours agreement, u favours disagreement.</summary>
    internal static FellegiSunterModel Start(bool[] active, double lambda)
    {
        var model = new FellegiSunterModel { Lambda = lambda, Active = active };
        model.M = new double[MatchRecord.FieldCount][];
        model.U = new double[MatchRecord.FieldCount][];
        for (var f = 0; f < MatchRecord.FieldCount; f++)
        {
            var levels = PairComparer.LevelCount(f);
            model.M[f] = new double[levels];
            model.U[f] = new double[levels];
            for (var l = 0; l < levels; l++)
            {
                // m rises with the level, u falls: 1,2,4,… normalised.
                model.M[f][l] = Math.Pow(4, l);
                model.U[f][l] = Math.Pow(4, levels - 1 - l);
            }

            Normalise(model.M[f]);
            Normalise(model.U[f]);
        }

        return model;
    }

    internal static void Normalise(double[] p)
    {
        var sum = 0.0;
        foreach (var x in p)
        {
            sum += x;
        }

        for (var i = 0; i < p.Length; i++)
        {
            p[i] /= sum;
        }
    }

    /// <summary>A deep copy.</summary>
    [JsonIgnore]
    public FellegiSunterModel Copy => new()
    {
        Lambda = Lambda,
        M = M.Select(a => (double[])a.Clone()).ToArray(),
        U = U.Select(a => (double[])a.Clone()).ToArray(),
        Active = (bool[])Active.Clone(),
        Iterations = Iterations,
    };
}

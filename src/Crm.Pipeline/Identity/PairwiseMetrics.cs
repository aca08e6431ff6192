namespace Crm.Pipeline.Identity;

/// <summary>Pairwise precision, recall and F1 of a clustering against true entities (unordered record pairs).</summary>
/// <param name="TruePairs">Pairs within a true entity.</param>
/// <param name="PredictedPairs">Pairs within a predicted cluster.</param>
/// <param name="CorrectPairs">Pairs in both.</param>
public sealed record PairwiseMetrics(long TruePairs, long PredictedPairs, long CorrectPairs)
{
    /// <summary>Correct / predicted (1 when nothing was predicted).</summary>
    public double Precision => PredictedPairs == 0 ? 1 : (double)CorrectPairs / PredictedPairs;

    /// <summary>Correct / true (1 when there are no true pairs).</summary>
    public double Recall => TruePairs == 0 ? 1 : (double)CorrectPairs / TruePairs;

    /// <summary>Harmonic mean of precision and recall.</summary>
    public double F1 => Precision + Recall == 0 ? 0 : 2 * Precision * Recall / (Precision + Recall);

    /// <summary>Scores <paramref name="predicted"/> cluster labels against <paramref name="truth"/> entity labels (same order).</summary>
    public static PairwiseMetrics Compute<TTruth, TPredicted>(IReadOnlyList<TTruth> truth, IReadOnlyList<TPredicted> predicted)
        where TTruth : notnull
        where TPredicted : notnull
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(predicted);
        if (truth.Count != predicted.Count)
        {
            throw new ArgumentException("Truth and prediction must label the same records.", nameof(predicted));
        }

        var t = new Dictionary<TTruth, long>();
        var p = new Dictionary<TPredicted, long>();
        var both = new Dictionary<(TTruth, TPredicted), long>();
        for (var i = 0; i < truth.Count; i++)
        {
            t[truth[i]] = t.GetValueOrDefault(truth[i]) + 1;
            p[predicted[i]] = p.GetValueOrDefault(predicted[i]) + 1;
            both[(truth[i], predicted[i])] = both.GetValueOrDefault((truth[i], predicted[i])) + 1;
        }

        static long Pairs(IEnumerable<long> sizes) => sizes.Sum(n => n * (n - 1) / 2);
        return new PairwiseMetrics(Pairs(t.Values), Pairs(p.Values), Pairs(both.Values));
    }
}

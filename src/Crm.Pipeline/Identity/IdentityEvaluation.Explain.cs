namespace Crm.Pipeline.Identity;

/// <summary>One pair the evaluation got wrong, with what the matcher saw.</summary>
/// <param name="A">The first record's row (0-based, header excluded).</param>
/// <param name="B">The second record's row.</param>
/// <param name="Left">The first record, cleaned.</param>
/// <param name="Right">The second record, cleaned.</param>
/// <param name="Waterfall">Comparison levels and weights.</param>
/// <param name="Verdict">Why the matcher decided as it did (not proposed by blocking, below the threshold, refused by a rule, joined through other records, …).</param>
public sealed record PairExplanation(int A, int B, MatchRecord Left, MatchRecord Right, MatchWeightWaterfall Waterfall, string Verdict);

/// <summary>What <see cref="IdentityEvaluation.Explain"/> found.</summary>
/// <param name="TruePairsNotProposed">True pairs that no blocking key proposed: no setting of the model can link them directly.</param>
/// <param name="MissedPairs">True pairs left in different clusters.</param>
/// <param name="FalsePairs">Pairs put in one cluster that are different entities.</param>
/// <param name="Missed">Up to N missed true pairs, explained.</param>
/// <param name="FalseMatches">Up to N false matches, explained (direct links first).</param>
public sealed record MissReport(long TruePairsNotProposed, long MissedPairs, long FalsePairs, IReadOnlyList<PairExplanation> Missed, IReadOnlyList<PairExplanation> FalseMatches);

/// <content>Explains an evaluation's errors.</content>
public static partial class IdentityEvaluation
{
    /// <summary>
    /// Counts the true pairs that blocking never proposed, and explains up to <paramref name="count"/>
    /// missed true pairs and false matches: both records, each field's comparison level and weight.
    /// </summary>
    /// <param name="result">An evaluation (from <see cref="Evaluate"/>).</param>
    /// <param name="matching">The settings the evaluation ran with.</param>
    /// <param name="count">How many of each to explain (0: only the counts).</param>
    public static MissReport Explain(EvaluationResult result, MatchingOptions matching, int count)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(matching);
        var records = result.Cleaned;
        var truth = result.Truth;
        var labels = result.Resolution.Labels;
        var model = result.Resolution.Model;
        var candidates = Blocking.CandidatePairs(records, matching.MaxBlockSize, matching.MaxNameBlockSize, null, out _, out _, out _);
        var proposed = new HashSet<(int, int)>(candidates.Count);
        foreach (var (a, b) in candidates)
        {
            proposed.Add((Math.Min(a, b), Math.Max(a, b)));
        }

        var linked = new HashSet<(int, int)>();
        foreach (var link in result.Resolution.Links)
        {
            linked.Add((Math.Min(link.A, link.B), Math.Max(link.A, link.B)));
        }

        PairExplanation Explained(int a, int b, bool isTrue)
        {
            var left = records[a];
            var right = records[b];
            var pattern = PairComparer.Compare(left, right);
            var waterfall = MatchWeightWaterfall.Of(model, pattern, left, right);
            string verdict;
            if (!isTrue)
            {
                verdict = linked.Contains((a, b))
                    ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"linked directly (probability {waterfall.Probability:F4})")
                    : "joined through other records of the cluster";
            }
            else if (!proposed.Contains((a, b)))
            {
                verdict = "not proposed: the two records share no blocking key";
            }
            else if (waterfall.Probability < matching.MatchThreshold)
            {
                verdict = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"scored {waterfall.Probability:F4}, below the threshold {matching.MatchThreshold}");
            }
            else
            {
                verdict = Matcher.Refusal(pattern, matching) is { } why
                    ? "scored above the threshold, refused: " + why
                    : "scored above the threshold, refused by the cluster guard (a conflicting date of birth or a split)";
            }

            return new PairExplanation(a, b, left, right, waterfall, verdict);
        }

        // True pairs: every unordered pair within an entity.
        var byEntity = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i < truth.Count; i++)
        {
            if (!byEntity.TryGetValue(truth[i], out var list))
            {
                byEntity[truth[i]] = list = [];
            }

            list.Add(i);
        }

        long notProposed = 0, missedCount = 0;
        var missed = new List<PairExplanation>();
        foreach (var members in byEntity.Values)
        {
            for (var x = 0; x < members.Count; x++)
            {
                for (var y = x + 1; y < members.Count; y++)
                {
                    var (a, b) = (members[x], members[y]);
                    notProposed += proposed.Contains((a, b)) ? 0 : 1;
                    if (labels[a] != labels[b])
                    {
                        missedCount++;
                        if (missed.Count < count)
                        {
                            missed.Add(Explained(a, b, isTrue: true));
                        }
                    }
                }
            }
        }

        // False pairs: every unordered pair within a predicted cluster whose entities differ; direct links first.
        var byCluster = new Dictionary<int, List<int>>();
        for (var i = 0; i < labels.Length; i++)
        {
            if (!byCluster.TryGetValue(labels[i], out var list))
            {
                byCluster[labels[i]] = list = [];
            }

            list.Add(i);
        }

        long falseCount = 0;
        var falsePairs = new List<(int A, int B, bool Direct)>();
        foreach (var members in byCluster.Values)
        {
            for (var x = 0; x < members.Count; x++)
            {
                for (var y = x + 1; y < members.Count; y++)
                {
                    var (a, b) = (members[x], members[y]);
                    if (!string.Equals(truth[a], truth[b], StringComparison.Ordinal))
                    {
                        falseCount++;
                        falsePairs.Add((a, b, linked.Contains((a, b))));
                    }
                }
            }
        }

        var falseMatches = falsePairs.OrderByDescending(p => p.Direct).ThenBy(p => p.A).ThenBy(p => p.B).Take(count)
            .Select(p => Explained(p.A, p.B, isTrue: false)).ToList();
        return new MissReport(notProposed, missedCount, falseCount, missed, falseMatches);
    }
}

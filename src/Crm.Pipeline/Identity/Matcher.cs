using System.Diagnostics;

namespace Crm.Pipeline.Identity;

/// <summary>The outcome of resolving a set of records.</summary>
public sealed class Resolution
{
    /// <summary>Cluster label per record (the smallest record index of its cluster).</summary>
    public required int[] Labels { get; init; }

    /// <summary>The links that joined clusters (a spanning forest), with their evidence.</summary>
    public required IReadOnlyList<ScoredPair> Links { get; init; }

    /// <summary>The model used to score pairs.</summary>
    public required FellegiSunterModel Model { get; init; }

    /// <summary>Candidate pairs compared.</summary>
    public long CandidatePairs { get; init; }

    /// <summary>Pairs at or above the threshold (or linked by a rule).</summary>
    public long MatchedPairs { get; init; }

    /// <summary>Blocks skipped for being larger than the cap.</summary>
    public int SkippedBlocks { get; init; }

    /// <summary>Candidate pairs produced by each blocking key (<see cref="Blocking.KeyNames"/> order).</summary>
    public IReadOnlyList<long> PairsPerKey { get; init; } = [];

    /// <summary>Merges refused by the cluster-size cap.</summary>
    public int CapAlerts { get; init; }

    /// <summary>Merges refused by conflicting strong identifiers or a manual split.</summary>
    public int GuardBlocks { get; init; }

    /// <summary>
    /// Pairs held for review: scored inside the review band, agreeing on a field besides the names, not decided by an
    /// admin, and left in different clusters (their own link was not made).
    /// </summary>
    public IReadOnlyList<ScoredPair> Review { get; init; } = [];

    /// <summary>Wall time per step.</summary>
    public IReadOnlyDictionary<string, TimeSpan> Timings { get; init; } = new Dictionary<string, TimeSpan>();
}

/// <summary>Manual decisions, as record index pairs.</summary>
/// <param name="Links">Pairs an administrator forced together.</param>
/// <param name="Splits">Pairs an administrator forced apart.</param>
public sealed record ManualPairs(IReadOnlyList<(int A, int B)> Links, IReadOnlyList<(int A, int B)> Splits)
{
    /// <summary>No decisions.</summary>
    public static ManualPairs None { get; } = new([], []);
}

/// <summary>
/// Resolves person records into clusters: blocking on several keys, comparison levels per field,
/// a Fellegi–Sunter model fitted by EM (or one given), deterministic rules, then guarded clustering.
/// Pure and in memory: the identity stage, the evaluation command and the benchmark all use it.
/// </summary>
public static class Matcher
{
    /// <summary>Resolves every record against every other (a full run).</summary>
    /// <param name="records">The records.</param>
    /// <param name="options">Matching settings.</param>
    /// <param name="manual">Forced links and splits.</param>
    /// <param name="model">A model to reuse; null fits a new one by EM (the manual decisions are its labelled pairs).</param>
    /// <param name="review">The review band: pairs inside it are held for an admin instead of linked; null holds none.</param>
    public static Resolution Resolve(
        IReadOnlyList<MatchRecord> records, MatchingOptions options, ManualPairs? manual = null, FellegiSunterModel? model = null, ReviewOptions? review = null)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(options);
        return Run(records, options, manual ?? ManualPairs.None, model, delta: null, existing: null, review);
    }

    /// <summary>
    /// Resolves new or changed records (<paramref name="delta"/> = true) against existing clusters
    /// (<paramref name="existingLabels"/>: records with equal labels are already one customer; delta
    /// records may carry their current label or −1). Only pairs that touch a delta record are compared,
    /// and the model is reused, so the cost follows the size of the delta.
    /// </summary>
    public static Resolution ResolveDelta(
        IReadOnlyList<MatchRecord> records, bool[] delta, int[] existingLabels, FellegiSunterModel model, MatchingOptions options, ManualPairs? manual = null,
        ReviewOptions? review = null)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(model);
        return Run(records, options, manual ?? ManualPairs.None, model, delta, existingLabels, review);
    }

    private static Resolution Run(
        IReadOnlyList<MatchRecord> records, MatchingOptions options, ManualPairs manual, FellegiSunterModel? model, bool[]? delta, int[]? existing,
        ReviewOptions? review)
    {
        var timings = new Dictionary<string, TimeSpan>();
        var clock = Stopwatch.StartNew();
        var candidates = Blocking.CandidatePairs(records, options.MaxBlockSize, options.MaxNameBlockSize, delta, out var skipped, out var keys, out var perKey);
        timings["blocking"] = clock.Elapsed;

        clock.Restart();
        var patterns = new ulong[candidates.Count];
        Parallel.For(0, candidates.Count, new ParallelOptions(), () => 0, (i, _, local) =>
        {
            patterns[i] = PairComparer.Compare(records[candidates[i].A], records[candidates[i].B]);
            return local;
        }, _ => { });
        timings["comparing"] = clock.Elapsed;

        clock.Restart();
        model = model is null ? Fit(records, patterns, options, candidates, keys, manual) : model.Copy;
        model.Frequencies = TermFrequencies.Count(records);
        timings["em"] = clock.Elapsed;

        clock.Restart();
        var cache = new Dictionary<ulong, double>();
        var matched = new List<ScoredPair>();
        var held = new List<ScoredPair>();
        var decided = new HashSet<(int, int)>();
        foreach (var (a, b) in manual.Links.Concat(manual.Splits))
        {
            decided.Add((Math.Min(a, b), Math.Max(a, b)));
        }

        for (var i = 0; i < candidates.Count; i++)
        {
            var p = patterns[i];
            if (!cache.TryGetValue(p, out var weight))
            {
                cache[p] = weight = model.MatchWeight(p);
            }

            var a = records[candidates[i].A];
            var b = records[candidates[i].B];
            var probability = FellegiSunterModel.ToProbability(weight + model.FrequencyAdjustment(p, a, b));

            var rule = Rule(p, options);
            var allowed = (!options.RequireNonNameAgreement || (AgreesBeyondName(p) && !NameDisagrees(p))) && (!options.HouseholdGuard || !Household(p));
            var (x, y) = candidates[i];
            if (rule == MatchRule.Probabilistic && review is not null && review.Contains(probability) && AgreesBeyondName(p)
                && !decided.Contains((Math.Min(x, y), Math.Max(x, y))))
            {
                // Uncertain: kept apart until an admin decides (their decision then binds as a manual link or split).
                // Pairs that agree on names alone are left to the rules: common names would flood the queue with
                // strangers, and nothing but the names is there for an admin to judge either. A pair the rules would
                // refuse (a name clearly differs, the household guard) is held when the score is in the band: the
                // model and the rules disagree, which is what a person should settle.
                held.Add(new ScoredPair(x, y, p, probability, rule));
            }
            else if (rule != MatchRule.Probabilistic || (probability >= options.MatchThreshold && allowed))
            {
                matched.Add(new ScoredPair(x, y, p, probability, rule));
            }
        }

        // Rules first, then by probability; ties broken by record index so every run orders the same.
        matched.Sort(static (x, y) =>
        {
            var rx = x.Rule == MatchRule.Probabilistic ? 1 : 0;
            var ry = y.Rule == MatchRule.Probabilistic ? 1 : 0;
            if (rx != ry)
            {
                return rx.CompareTo(ry);
            }

            var c = y.Probability.CompareTo(x.Probability);
            return c != 0 ? c : x.A != y.A ? x.A.CompareTo(y.A) : x.B.CompareTo(y.B);
        });

        var clusterer = new Clusterer(records, options, model);
        if (existing is not null)
        {
            var first = new Dictionary<int, int>();
            for (var i = 0; i < existing.Length; i++)
            {
                if (existing[i] < 0)
                {
                    continue;
                }

                if (first.TryGetValue(existing[i], out var head))
                {
                    clusterer.Force(new ScoredPair(head, i, 0, 1, MatchRule.Source));
                }
                else
                {
                    first[existing[i]] = i;
                }
            }

            clusterer.Links.Clear();
        }

        foreach (var (a, b) in manual.Splits)
        {
            clusterer.CannotLink(a, b);
        }

        foreach (var (a, b) in manual.Links)
        {
            clusterer.Force(new ScoredPair(a, b, PairComparer.Compare(records[a], records[b]), 1, MatchRule.Manual));
        }

        foreach (var pair in matched)
        {
            clusterer.TryLink(pair);
        }

        timings["clustering"] = clock.Elapsed;
        var labels = clusterer.Labels();
        held.RemoveAll(pair => labels[pair.A] == labels[pair.B]);
        return new Resolution
        {
            Labels = labels,
            Review = held,
            Links = clusterer.Links,
            Model = model,
            CandidatePairs = candidates.Count,
            MatchedPairs = matched.Count,
            SkippedBlocks = skipped,
            PairsPerKey = perKey,
            CapAlerts = clusterer.CapAlerts,
            GuardBlocks = clusterer.GuardBlocks,
            Timings = timings,
        };
    }

    /// <summary>Why a scored pair at or above the threshold is still not linked by the rules; null when they allow it.</summary>
    internal static string? Refusal(ulong p, MatchingOptions options)
    {
        if (Rule(p, options) != MatchRule.Probabilistic)
        {
            return null;
        }

        if (options.RequireNonNameAgreement && !AgreesBeyondName(p))
        {
            return "no field besides the names agrees closely";
        }

        if (options.RequireNonNameAgreement && NameDisagrees(p))
        {
            return "a name clearly differs";
        }

        return options.HouseholdGuard && Household(p) ? "household guard (given names differ and only the address agrees)" : null;
    }

    // Names alone are weak evidence in a real population (many Jean Martins); a link needs one more field to agree closely.
    private static bool AgreesBeyondName(ulong p)
    {
        for (var f = 0; f < MatchRecord.FieldCount; f++)
        {
            // Strong agreement only: exact, or for a date of birth also one typo apart.
            var top = PairComparer.LevelCount(f) - 1;
            var level = PairComparer.Level(p, f);
            if (f != (int)MatchField.Given && f != (int)MatchField.Family && f != (int)MatchField.Country && f != (int)MatchField.Region
                && level >= 0 && (level == top || (f == (int)MatchField.DateOfBirth && level == 2)))
            {
                return true;
            }
        }

        return false;
    }

    // Household members share a surname, address and phone; a clearly different given or family name keeps them apart.
    // (A date of birth or national id agreeing closely outweighs a mistyped name, as in Febrl's corruptions.)
    private static bool NameDisagrees(ulong p) =>
        (PairComparer.Level(p, (int)MatchField.Given) == 0 || PairComparer.Level(p, (int)MatchField.Family) == 0)
        && PairComparer.Level(p, (int)MatchField.DateOfBirth) < 2 && PairComparer.Level(p, (int)MatchField.NationalId) < 1;

    // Members of one household share surname, address and often phone; their given names differ, though
    // sometimes only by a letter (Antônia/Antônio, Jean/Jeanne). Unless the given names are equal, the
    // address does not make a link: a close given name also needs the same phone or a personal identifier
    // (e-mail, date of birth, national id), a merely similar or different one a personal identifier.
    private static bool Household(ulong p)
    {
        var personal = PairComparer.Level(p, (int)MatchField.Email) >= 1 || PairComparer.Level(p, (int)MatchField.DateOfBirth) >= 2
            || PairComparer.Level(p, (int)MatchField.NationalId) >= 1;
        return PairComparer.Level(p, (int)MatchField.Given) switch
        {
            // Close given names are a typo or a listed short form: gendered forms (the household's
            // Antônia and Antônio) compare as merely similar, so the address may link these.
            3 or 2 or -1 => false,
            _ => !personal,
        };
    }

    private static MatchRule Rule(ulong p, MatchingOptions options)
    {
        if (options.EmailRule && PairComparer.Level(p, (int)MatchField.Email) == 2)
        {
            return MatchRule.Email;
        }

        if (options.PhoneRule && PairComparer.Level(p, (int)MatchField.Phone) == 2
            && PairComparer.Level(p, (int)MatchField.Family) != 0
            && (options.HouseholdGuard ? !Household(p) : PairComparer.Level(p, (int)MatchField.Given) != 0))
        {
            return MatchRule.Phone;
        }

        return MatchRule.Probabilistic;
    }

    /// <summary>
    /// Fits a model without labels, as Splink does: u measured on random pairs; m by EM over the
    /// candidate pairs, one session per blocking key, each over the pairs sharing that key with the
    /// key's own fields left out (pairs blocked on a name agree on it whatever their match status,
    /// so that field says nothing there about m); each field's m is the average over the sessions
    /// that saw it, weighted by their expected matches. λ is then fitted on all candidate pairs.
    /// Fitting one EM over the union instead lets the "match" class absorb every candidate (λ → 1),
    /// which leaves disagreement nearly weightless.
    /// </summary>
    internal static FellegiSunterModel Fit(
        IReadOnlyList<MatchRecord> records, ulong[] patterns, MatchingOptions options, IReadOnlyList<(int A, int B)>? candidates = null, ulong[]? keys = null,
        ManualPairs? labelled = null)
    {
        var fitted = FitUnlabelled(records, patterns, options, candidates, keys);
        return labelled is null ? fitted : WithLabels(fitted, records, labelled, patterns.Length, Math.Min(options.RandomPairSamples, 50L * records.Count));
    }

    /// <summary>
    /// Adds an admin's labelled pairs to a fitted model: each forced link counts as one observed match in m, each
    /// forced split as one observed non-match in u, beside EM's expected matches (λ × candidate pairs) and the random
    /// pairs u was measured on. A label has the weight of one pair whose class is known rather than estimated, so a
    /// few labels nudge the estimate and many move it.
    /// </summary>
    internal static FellegiSunterModel WithLabels(FellegiSunterModel fitted, IReadOnlyList<MatchRecord> records, ManualPairs labelled, long candidatePairs, long randomPairs)
    {
        if (labelled.Links.Count == 0 && labelled.Splits.Count == 0)
        {
            return fitted;
        }

        var model = fitted.Copy;
        Blend(model.M, model.Active, fitted.Lambda * candidatePairs, labelled.Links.Select(p => PairComparer.Compare(records[p.A], records[p.B])));
        Blend(model.U, model.Active, randomPairs, labelled.Splits.Select(p => PairComparer.Compare(records[p.A], records[p.B])));
        return model;
    }

    private static void Blend(double[][] probabilities, bool[] active, double weight, IEnumerable<ulong> patterns)
    {
        var counts = new double[probabilities.Length][];
        var seen = new double[probabilities.Length];
        for (var f = 0; f < counts.Length; f++)
        {
            counts[f] = new double[probabilities[f].Length];
        }

        foreach (var pattern in patterns)
        {
            for (var f = 0; f < counts.Length; f++)
            {
                var level = PairComparer.Level(pattern, f);
                if (active[f] && level >= 0)
                {
                    counts[f][level]++;
                    seen[f]++;
                }
            }
        }

        for (var f = 0; f < counts.Length; f++)
        {
            if (seen[f] == 0)
            {
                continue;
            }

            var w = Math.Max(weight, 0);
            for (var l = 0; l < counts[f].Length; l++)
            {
                probabilities[f][l] = Math.Max(((w * probabilities[f][l]) + counts[f][l]) / (w + seen[f]), 1e-6);
            }

            FellegiSunterModel.Normalise(probabilities[f]);
        }
    }

    private static FellegiSunterModel FitUnlabelled(
        IReadOnlyList<MatchRecord> records, ulong[] patterns, MatchingOptions options, IReadOnlyList<(int A, int B)>? candidates, ulong[]? keys)
    {
        var counts = new Dictionary<ulong, long>();
        var active = new bool[MatchRecord.FieldCount];
        foreach (var p in patterns)
        {
            counts[p] = counts.TryGetValue(p, out var c) ? c + 1 : 1;
        }

        foreach (var p in counts.Keys)
        {
            for (var f = 0; f < active.Length; f++)
            {
                active[f] |= PairComparer.Level(p, f) >= 0;
            }
        }

        var start = FellegiSunterModel.Start(active, 0.1);
        start.U = ExpectationMaximisation.RandomPairU(records, (int)Math.Min(options.RandomPairSamples, 50L * records.Count), options.Seed);
        if (counts.Count == 0)
        {
            return start;
        }

        if (candidates is null || keys is null || !options.FixU)
        {
            return ExpectationMaximisation.Fit(counts, start, options.FixU);
        }

        // Sessions: the patterns of the pairs sharing each key, that key's fields masked out.
        var sessions = new Dictionary<ulong, long>[Blocking.KeyCount];
        var masks = new ulong[Blocking.KeyCount];
        for (var k = 0; k < sessions.Length; k++)
        {
            sessions[k] = [];
            masks[k] = ulong.MaxValue;
            foreach (var f in Blocking.KeyFields[k])
            {
                masks[k] &= ~(0xFUL << ((int)f * 4));
            }
        }

        for (var i = 0; i < patterns.Length; i++)
        {
            var shared = Blocking.SharedKeys(keys, candidates[i].A, candidates[i].B);
            for (var k = 0; shared != 0; k++, shared >>= 1)
            {
                if ((shared & 1) != 0)
                {
                    var masked = patterns[i] & masks[k];
                    sessions[k][masked] = sessions[k].GetValueOrDefault(masked) + 1;
                }
            }
        }

        var sumM = new double[MatchRecord.FieldCount][];
        var weight = new double[MatchRecord.FieldCount];
        var iterations = 0;
        for (var f = 0; f < sumM.Length; f++)
        {
            sumM[f] = new double[PairComparer.LevelCount(f)];
        }

        for (var k = 0; k < sessions.Length; k++)
        {
            var total = sessions[k].Values.Sum();
            if (total < 20)
            {
                continue;
            }

            var sessionActive = (bool[])active.Clone();
            foreach (var f in Blocking.KeyFields[k])
            {
                sessionActive[(int)f] = false;
            }

            var session = start.Copy;
            session.Active = sessionActive;
            var fitted = ExpectationMaximisation.Fit(sessions[k], session, fixU: true);
            iterations += fitted.Iterations;
            var expected = fitted.Lambda * total;
            for (var f = 0; f < sumM.Length; f++)
            {
                if (!sessionActive[f])
                {
                    continue;
                }

                // Weighted by the matches that had a value for the field.
                var seen = 0.0;
                foreach (var (p, c) in sessions[k])
                {
                    seen += PairComparer.Level(p, f) >= 0 ? c : 0;
                }

                var w = expected * seen / total;
                for (var l = 0; l < sumM[f].Length; l++)
                {
                    sumM[f][l] += w * fitted.M[f][l];
                }

                weight[f] += w;
            }
        }

        var model = start.Copy;
        for (var f = 0; f < sumM.Length; f++)
        {
            if (weight[f] > 0)
            {
                for (var l = 0; l < sumM[f].Length; l++)
                {
                    model.M[f][l] = Math.Max(sumM[f][l] / weight[f], 1e-6);
                }

                FellegiSunterModel.Normalise(model.M[f]);
            }
        }

        var result = ExpectationMaximisation.Fit(counts, model, fixU: true, fixM: true);
        result.Iterations += iterations;
        return result;
    }
}

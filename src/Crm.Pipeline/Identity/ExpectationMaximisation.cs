namespace Crm.Pipeline.Identity;

/// <summary>
/// Estimates a Fellegi–Sunter model without labels: EM over the distinct comparison patterns of the
/// candidate pairs (weighted by how often each occurs), assuming fields are independent given the
/// match status. u may be held at values measured on random pairs (as Splink does), which keeps
/// EM from mistaking a common non-match pattern for the match class.
/// </summary>
internal static class ExpectationMaximisation
{
    private const double Floor = 1e-6;

    public static FellegiSunterModel Fit(
        IReadOnlyDictionary<ulong, long> patterns, FellegiSunterModel start, bool fixU, int maxIterations = 200, double tolerance = 1e-7, bool fixM = false)
    {
        var model = start.Copy;
        var keys = patterns.Keys.ToArray();
        var counts = keys.Select(k => (double)patterns[k]).ToArray();
        var levels = new int[keys.Length, MatchRecord.FieldCount];
        for (var p = 0; p < keys.Length; p++)
        {
            for (var f = 0; f < MatchRecord.FieldCount; f++)
            {
                levels[p, f] = model.Active[f] ? PairComparer.Level(keys[p], f) : -1;
            }
        }

        var g = new double[keys.Length];
        var iteration = 0;
        for (; iteration < maxIterations; iteration++)
        {
            // E step: posterior match probability of each pattern.
            for (var p = 0; p < keys.Length; p++)
            {
                double lm = Math.Log(model.Lambda), lu = Math.Log(1 - model.Lambda);
                for (var f = 0; f < MatchRecord.FieldCount; f++)
                {
                    var l = levels[p, f];
                    if (l >= 0)
                    {
                        lm += Math.Log(model.M[f][l]);
                        lu += Math.Log(model.U[f][l]);
                    }
                }

                g[p] = 1.0 / (1.0 + Math.Exp(lu - lm));
            }

            // M step.
            var next = model.Copy;
            double matches = 0, total = 0;
            for (var p = 0; p < keys.Length; p++)
            {
                matches += counts[p] * g[p];
                total += counts[p];
            }

            next.Lambda = Math.Clamp(matches / total, Floor, 1 - Floor);
            for (var f = 0; f < MatchRecord.FieldCount; f++)
            {
                if (!model.Active[f])
                {
                    continue;
                }

                var m = new double[model.M[f].Length];
                var u = new double[m.Length];
                for (var p = 0; p < keys.Length; p++)
                {
                    var l = levels[p, f];
                    if (l >= 0)
                    {
                        m[l] += counts[p] * g[p];
                        u[l] += counts[p] * (1 - g[p]);
                    }
                }

                if (!fixM)
                {
                    next.M[f] = Smooth(m);
                }

                if (!fixU)
                {
                    next.U[f] = Smooth(u);
                }
            }

            var change = Math.Abs(next.Lambda - model.Lambda);
            for (var f = 0; f < MatchRecord.FieldCount; f++)
            {
                for (var l = 0; l < next.M[f].Length; l++)
                {
                    change = Math.Max(change, Math.Abs(next.M[f][l] - model.M[f][l]));
                    change = Math.Max(change, Math.Abs(next.U[f][l] - model.U[f][l]));
                }
            }

            model = next;
            if (change < tolerance)
            {
                iteration++;
                break;
            }
        }

        model.Iterations = iteration;
        return model;
    }

    /// <summary>
    /// u measured directly: level frequencies over random record pairs (nearly all non-matches).
    /// The second record is drawn from the first one's country when it has one: candidate pairs
    /// nearly always share a country, and within a country names, streets and postcodes agree far
    /// more often by chance than across a mixed customer base.
    /// </summary>
    public static double[][] RandomPairU(IReadOnlyList<MatchRecord> records, int samples, int seed)
    {
        var counts = new double[MatchRecord.FieldCount][];
        for (var f = 0; f < counts.Length; f++)
        {
            counts[f] = new double[PairComparer.LevelCount(f)];
        }

        if (records.Count >= 2)
        {
            var byCountry = new Dictionary<string, List<int>>(StringComparer.Ordinal);
            for (var i = 0; i < records.Count; i++)
            {
                if (records[i][MatchField.Country] is { } c)
                {
                    (byCountry.TryGetValue(c, out var list) ? list : byCountry[c] = []).Add(i);
                }
            }

            var random = new Random(seed);
            var pairs = new (int A, int B)[samples];
            for (var s = 0; s < samples; s++)
            {
                var a = random.Next(records.Count);
                if (records[a][MatchField.Country] is { } c && byCountry[c] is { Count: >= 2 } same)
                {
                    int b;
                    do
                    {
                        b = same[random.Next(same.Count)];
                    }
                    while (b == a);

                    pairs[s] = (a, b);
                }
                else
                {
                    var b = random.Next(records.Count - 1);
                    pairs[s] = (a, b >= a ? b + 1 : b);
                }
            }

            var patterns = new ulong[samples];
            Parallel.For(0, samples, s => patterns[s] = PairComparer.Compare(records[pairs[s].A], records[pairs[s].B]));
            foreach (var pattern in patterns)
            {
                for (var f = 0; f < MatchRecord.FieldCount; f++)
                {
                    var l = PairComparer.Level(pattern, f);
                    if (l >= 0)
                    {
                        counts[f][l]++;
                    }
                }
            }
        }

        return counts.Select(Smooth).ToArray();
    }

    private static double[] Smooth(double[] counts)
    {
        var sum = 0.0;
        foreach (var c in counts)
        {
            sum += c;
        }

        var p = new double[counts.Length];
        for (var l = 0; l < p.Length; l++)
        {
            p[l] = sum <= 0 ? 1.0 / p.Length : Math.Max(counts[l] / sum, Floor);
        }

        FellegiSunterModel.Normalise(p);
        return p;
    }
}

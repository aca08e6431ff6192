using System.Diagnostics;
using Crm.Pipeline.Cleaning;
using Crm.Pipeline.Identity;

namespace Crm.Bench;

/// <summary>
/// Identity resolution at scale: N synthetic person records (Febrl-like corruption, see
/// <see cref="SyntheticPeople"/>) cleaned and resolved in memory by the same code as the stage,
/// beside an exact-key-only dedupe of the same records (baseline), then a 1 % delta resolved
/// incrementally against the clusters of the full run.
/// Usage: <c>identity [N]</c> (default 1,000,000) or <c>identity eval FILE…</c>.
/// </summary>
internal static class IdentityBenchmark
{
    public static Task<int> RunAsync(string[] args)
    {
        if (args.Length > 0 && args[0] == "company")
        {
            return IdentityCompanyBenchmark.RunAsync(args[1..]);
        }

        if (args.Length > 0 && args[0] == "eval")
        {
            foreach (var file in args[1..])
            {
                // A company dump (identity company N) carries its truth in person_id and runs with the demo's settings.
                var company = File.ReadLines(file).First().StartsWith("person_id", StringComparison.Ordinal);
                var settings = company ? IdentityCompanyBenchmark.DemoIdentityOptions() : new IdentityOptions();
                foreach (var exclude in company ? [Array.Empty<string>()] : new[] { Array.Empty<string>(), ["soc_sec_id"] })
                {
                    var r = IdentityEvaluation.Evaluate(file, company ? "person_id" : "rec_id", exclude, settings.Matching, settings.Cleaning);
                    if (Environment.GetEnvironmentVariable("CRM_BENCH_VERBOSE") == "1")
                    {
                        var model = r.Resolution.Model;
                        for (var f = 0; f < MatchRecord.FieldCount; f++)
                        {
                            Console.WriteLine($"    {(MatchField)f,-12} " + string.Join("  ", Enumerable.Range(0, model.M[f].Length).Select(l => $"L{l} m={model.M[f][l]:F3} u={model.U[f][l]:F4} w={model.Weight(f, l):F2}")));
                        }
                    }

                    if (company && Environment.GetEnvironmentVariable("CRM_BENCH_EXPLAIN") is { } explain)
                    {
                        Explain(file, r, int.Parse(explain, System.Globalization.CultureInfo.InvariantCulture));
                    }

                    Console.WriteLine($"{Path.GetFileName(file)} excl=[{string.Join(',', exclude)}] P={r.Metrics.Precision:F4} R={r.Metrics.Recall:F4} F1={r.Metrics.F1:F4} cand={r.Resolution.CandidatePairs} matched={r.Resolution.MatchedPairs} guard={r.Resolution.GuardBlocks} cap={r.Resolution.CapAlerts} lambda={r.Resolution.Model.Lambda:F4} it={r.Resolution.Model.Iterations} {r.Elapsed.TotalMilliseconds:F0}ms " + string.Join(" ", r.Resolution.Timings.Select(t => $"{t.Key}={t.Value.TotalMilliseconds:F0}")));
                }
            }

            return Task.FromResult(0);
        }

        var n = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000;
        var options = new MatchingOptions();
        var maxBlock = Array.IndexOf(args, "--max-block");
        if (maxBlock >= 0)
        {
            options.MaxBlockSize = int.Parse(args[maxBlock + 1], System.Globalization.CultureInfo.InvariantCulture);
        }

        var maxNameBlock = Array.IndexOf(args, "--max-name-block");
        if (maxNameBlock >= 0)
        {
            options.MaxNameBlockSize = int.Parse(args[maxNameBlock + 1], System.Globalization.CultureInfo.InvariantCulture);
        }

        Run(n, options);
        return Task.FromResult(0);
    }

    private static void Run(int n, MatchingOptions options)
    {
        Console.WriteLine($"identity: {n:N0} synthetic records, {Environment.ProcessorCount} cores, load average {LoadAverage()}");
        var clock = Stopwatch.StartNew();
        var (people, truth) = SyntheticPeople.Generate(n, 0.3, seed: 11);
        Console.WriteLine($"  generated in {clock.Elapsed.TotalSeconds:F1} s (not counted)");

        // Baseline first, so the JIT warm-up it pays is not charged to the matcher.
        var cleaning = new CleaningOptions();
        clock.Restart();
        var records = Clean(people, cleaning);
        var cleanTime = clock.Elapsed;
        clock.Restart();
        var baseline = ExactKeyDedupe(records);
        var baselineTime = clock.Elapsed + cleanTime;
        var baselineMetrics = PairwiseMetrics.Compute(truth, baseline);
        Console.WriteLine($"  baseline exact-key dedupe (email or name+dob): {baselineTime.TotalSeconds:F1} s (cleaning {cleanTime.TotalSeconds:F1} s) P={baselineMetrics.Precision:F4} R={baselineMetrics.Recall:F4} F1={baselineMetrics.F1:F4}");

        GC.Collect();
        clock.Restart();
        records = Clean(people, cleaning);
        var clean2 = clock.Elapsed;
        var full = Matcher.Resolve(records, options);
        var fullTime = clock.Elapsed;
        var fullMetrics = PairwiseMetrics.Compute(truth, full.Labels);
        Console.WriteLine($"  full resolution: {fullTime.TotalSeconds:F1} s (cleaning {clean2.TotalSeconds:F1} s, {string.Join(", ", full.Timings.Select(t => $"{t.Key} {t.Value.TotalSeconds:F1} s"))})");
        Console.WriteLine($"    {full.CandidatePairs:N0} candidate pairs, {full.MatchedPairs:N0} matched, {full.SkippedBlocks} oversized blocks skipped, {full.GuardBlocks} guard blocks, {full.CapAlerts} cap alerts, EM {full.Model.Iterations} iterations");
        Console.WriteLine("    pairs per blocking key: " + string.Join(", ", full.PairsPerKey.Take(Blocking.KeyCount).Select((c, k) => $"{Blocking.KeyNames[k]} {c:N0}")));
        Console.WriteLine($"    P={fullMetrics.Precision:F4} R={fullMetrics.Recall:F4} F1={fullMetrics.F1:F4}; time ratio to baseline {fullTime / baselineTime:F2}x");

        // A 1 % delta: half new people, half new records of people already known.
        var (deltaPeople, deltaTruth) = SyntheticPeople.Generate(n / 100, 0.5, seed: 12, keyOffset: n, originalsFrom: people);
        var all = new List<MatchRecord>(records);
        clock.Restart();
        all.AddRange(Clean(deltaPeople, cleaning));
        var isDelta = new bool[all.Count];
        var labels = new int[all.Count];
        for (var i = 0; i < all.Count; i++)
        {
            isDelta[i] = i >= records.Count;
            labels[i] = isDelta[i] ? -1 : full.Labels[i];
        }

        var delta = Matcher.ResolveDelta(all, isDelta, labels, full.Model, options);
        var deltaTime = clock.Elapsed;
        var allTruth = truth.Concat(deltaTruth).ToList();
        var deltaMetrics = PairwiseMetrics.Compute(allTruth, delta.Labels);
        Console.WriteLine($"  1% delta ({deltaPeople.Count:N0} records) resolved incrementally: {deltaTime.TotalSeconds:F2} s ({delta.CandidatePairs:N0} candidate pairs); ratio to the full run {deltaTime / fullTime:P1}");
        Console.WriteLine($"    after delta: P={deltaMetrics.Precision:F4} R={deltaMetrics.Recall:F4} F1={deltaMetrics.F1:F4}");
        using var process = Process.GetCurrentProcess();
        Console.WriteLine($"  peak working set {process.PeakWorkingSet64 / (1024.0 * 1024 * 1024):F2} GiB, GC heap max {GC.GetGCMemoryInfo().HeapSizeBytes / (1024.0 * 1024 * 1024):F2} GiB");
    }

    private static List<MatchRecord> Clean(List<RawPerson> people, CleaningOptions options)
    {
        var records = new MatchRecord[people.Count];
        Parallel.For(0, people.Count, () => new List<string>(), (i, _, errors) =>
        {
            errors.Clear();
            records[i] = PersonCleaner.Clean(people[i], options, errors).ToMatchRecord();
            return errors;
        }, _ => { });
        return [.. records];
    }

    // Exact-key dedupe: same normalised e-mail, or same given + family + date of birth, joined transitively.
    private static int[] ExactKeyDedupe(List<MatchRecord> records)
    {
        var parent = Enumerable.Range(0, records.Count).ToArray();
        int Find(int i)
        {
            while (parent[i] != i)
            {
                parent[i] = parent[parent[i]];
                i = parent[i];
            }

            return i;
        }

        var seen = new Dictionary<string, int>(records.Count * 2, StringComparer.Ordinal);
        for (var i = 0; i < records.Count; i++)
        {
            var r = records[i];
            foreach (var key in new[]
            {
                r[MatchField.Email] is { } e ? "e:" + e : null,
                r[MatchField.Given] is { } g && r[MatchField.Family] is { } f && r[MatchField.DateOfBirth] is { } d ? $"n:{g}|{f}|{d}" : null,
            })
            {
                if (key is null)
                {
                    continue;
                }

                if (seen.TryGetValue(key, out var j))
                {
                    parent[Find(i)] = Find(j);
                }
                else
                {
                    seen[key] = i;
                }
            }
        }

        return Enumerable.Range(0, records.Count).Select(Find).ToArray();
    }

    // Wrongly merged clusters of a company dump, with every record and the links that joined them.
    private static void Explain(string file, EvaluationResult r, int k)
    {
        var lines = File.ReadAllLines(file).Skip(1).ToArray();
        var truth = lines.Select(l => l[..l.IndexOf(',', StringComparison.Ordinal)]).ToArray();
        var labels = r.Resolution.Labels;
        var wrong = Enumerable.Range(0, labels.Length).GroupBy(i => labels[i]).Where(g => g.Select(i => truth[i]).Distinct().Count() > 1).Take(k);
        foreach (var g in wrong)
        {
            Console.WriteLine("  cluster:");
            foreach (var i in g)
            {
                Console.WriteLine($"    {i}: {lines[i]}");
            }

            foreach (var link in r.Resolution.Links.Where(l => labels[l.A] == g.Key))
            {
                var model = r.Resolution.Model;
                Console.WriteLine($"    link {link.A}~{link.B} {link.Rule} p={link.Probability:F4} " + string.Join(" ", Enumerable.Range(0, MatchRecord.FieldCount)
                    .Where(f => PairComparer.Level(link.Pattern, f) >= 0).Select(f => $"{(MatchField)f}:{PairComparer.Level(link.Pattern, f)}:{model.Weight(f, PairComparer.Level(link.Pattern, f)):F1}")));
            }
        }
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";
}

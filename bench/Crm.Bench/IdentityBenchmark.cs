using Crm.Pipeline.Cleaning;
using Crm.Pipeline.Identity;

namespace Crm.Bench;

internal static class IdentityBenchmark
{
    public static Task<int> RunAsync(string[] args)
    {
        if (args.Length > 0 && args[0] == "eval")
        {
            foreach (var file in args[1..])
            {
                foreach (var exclude in new[] { Array.Empty<string>(), ["soc_sec_id"] })
                {
                    var r = IdentityEvaluation.Evaluate(file, "rec_id", exclude, new MatchingOptions(), new CleaningOptions());
                    Console.WriteLine($"{Path.GetFileName(file)} excl=[{string.Join(',', exclude)}] P={r.Metrics.Precision:F4} R={r.Metrics.Recall:F4} F1={r.Metrics.F1:F4} cand={r.Resolution.CandidatePairs} matched={r.Resolution.MatchedPairs} guard={r.Resolution.GuardBlocks} cap={r.Resolution.CapAlerts} lambda={r.Resolution.Model.Lambda:F4} it={r.Resolution.Model.Iterations} {r.Elapsed.TotalMilliseconds:F0}ms");
                }
            }
        }

        return Task.FromResult(0);
    }
}

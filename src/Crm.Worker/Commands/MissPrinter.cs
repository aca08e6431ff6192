using System.Globalization;
using Crm.Pipeline.Identity;

namespace Crm.Worker.Commands;

/// <summary>Prints explained pairs of <c>crm identity eval --explain-misses</c> as small tables.</summary>
internal static class MissPrinter
{
    public static void Print(TextWriter output, string title, IReadOnlyList<PairExplanation> pairs, long total)
    {
        var c = CultureInfo.InvariantCulture;
        for (var i = 0; i < pairs.Count; i++)
        {
            var p = pairs[i];
            var w = p.Waterfall;
            output.WriteLine();
            output.WriteLine(string.Create(c, $"{title} {i + 1} of {total}: rows {p.A + 1} and {p.B + 1}, match weight {w.Total:+0.00;-0.00}, probability {w.Probability:F4}"));
            output.WriteLine("  " + p.Verdict);
            output.WriteLine(string.Create(c, $"  {"field",-14} {"left",-22} {"right",-22} {"level",-44} {"weight",7}"));
            output.WriteLine(string.Create(c, $"  {"prior",-14} {string.Empty,-22} {string.Empty,-22} {string.Empty,-44} {w.Prior,7:+0.00;-0.00}"));
            foreach (var bar in w.Bars)
            {
                output.WriteLine(string.Create(c, $"  {bar.Field,-14} {Cut(bar.Left),-22} {Cut(bar.Right),-22} {Cut(bar.Agreement, 44),-44} {bar.Weight,7:+0.00;-0.00}"));
            }
        }
    }

    private static string Cut(string? s, int n = 22) => s is null ? "—" : s.Length <= n ? s : s[..(n - 1)] + "…";
}

using System.Globalization;

namespace Crm.Bench;

/// <summary>Arguments shared by the benchmarks that run at several company sizes.</summary>
internal static class BenchArgs
{
    /// <summary>
    /// <c>[N1,N2,…] [--days D]</c>: the sizes (comma-separated, default <paramref name="defaultSizes"/>)
    /// and the generated span in days (default 365).
    /// </summary>
    public static (List<int> Sizes, int Days) SizesAndDays(string[] args, params int[] defaultSizes)
    {
        var sizes = defaultSizes.ToList();
        var days = 365;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--days" && i + 1 < args.Length)
            {
                days = int.Parse(args[++i], CultureInfo.InvariantCulture);
            }
            else if (args[i].Length > 0 && char.IsDigit(args[i][0]))
            {
                sizes = args[i].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToList();
            }
        }

        return (sizes, days);
    }
}

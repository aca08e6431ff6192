using System.Reflection;
using Crm.Pipeline.Cleaning;

namespace Crm.Pipeline.Identity;

/// <summary>
/// Given-name short forms and variants (Robert/Bob, Johannes/Hans, Aleksandr/Sasha): the vendored
/// public English nickname list and a table of the other languages' forms (see Data/README.md).
/// </summary>
internal static class NameVariants
{
    private static readonly HashSet<(string, string)> Pairs = Load();

    /// <summary>Whether <paramref name="a"/> and <paramref name="b"/> (match keys) are one name's forms.</summary>
    public static bool Related(string a, string b) => Pairs.Contains((a, b));

    /// <summary>How many ordered pairs the tables hold (for tests).</summary>
    public static int Count => Pairs.Count;

    private static HashSet<(string, string)> Load()
    {
        var pairs = new HashSet<(string, string)>();
        foreach (var resource in new[] { "Crm.Identity.nicknames.names.csv", "Crm.Identity.given-name-variants.csv" })
        {
            using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)
                ?? throw new InvalidOperationException($"The name table {resource} is not embedded in {Assembly.GetExecutingAssembly().GetName().Name}; rebuild the project.");
            using var reader = new StreamReader(stream);
            while (reader.ReadLine() is { } line)
            {
                if (line.Length == 0 || line[0] == '#')
                {
                    continue;
                }

                var names = line.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                var full = NameNormalizer.Key(names[0]);
                for (var i = 1; i < names.Length; i++)
                {
                    var variant = NameNormalizer.Key(names[i]);
                    if (variant.Length > 1 && full.Length > 1 && !string.Equals(variant, full, StringComparison.Ordinal))
                    {
                        pairs.Add((full, variant));
                        pairs.Add((variant, full));
                    }
                }
            }
        }

        return pairs;
    }
}

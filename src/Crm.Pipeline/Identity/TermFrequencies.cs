namespace Crm.Pipeline.Identity;

/// <summary>
/// How often each name occurs among the records being resolved, for term-frequency-adjusted
/// agreement weights (as Splink does): exact agreement on a rare family name says more than on
/// "smith". Counted at every run from the records in hand, so it follows the customer base and
/// never goes stale in a stored model.
/// </summary>
internal sealed class TermFrequencies
{
    /// <summary>The fields whose exact agreement is adjusted by the value's frequency.</summary>
    public static readonly MatchField[] Fields = [MatchField.Given, MatchField.Family];

    private readonly Dictionary<string, int>[] _counts;
    private readonly int[] _totals;

    private TermFrequencies(Dictionary<string, int>[] counts, int[] totals)
    {
        _counts = counts;
        _totals = totals;
    }

    /// <summary>Counts the values of <see cref="Fields"/> in <paramref name="records"/>.</summary>
    public static TermFrequencies Count(IReadOnlyList<MatchRecord> records)
    {
        var counts = new Dictionary<string, int>[Fields.Length];
        var totals = new int[Fields.Length];
        for (var k = 0; k < Fields.Length; k++)
        {
            counts[k] = new Dictionary<string, int>(StringComparer.Ordinal);
        }

        foreach (var r in records)
        {
            for (var k = 0; k < Fields.Length; k++)
            {
                if (r.Values[(int)Fields[k]] is { } v)
                {
                    counts[k][v] = counts[k].GetValueOrDefault(v) + 1;
                    totals[k]++;
                }
            }
        }

        return new TermFrequencies(counts, totals);
    }

    /// <summary>The share of records holding <paramref name="value"/> in <paramref name="field"/>; 0 when the field is not counted.</summary>
    public double Share(MatchField field, string value)
    {
        var k = Array.IndexOf(Fields, field);
        if (k < 0 || _totals[k] == 0)
        {
            return 0;
        }

        return Math.Max(_counts[k].GetValueOrDefault(value), 1) / (double)_totals[k];
    }
}

namespace Crm.Pipeline.Identity;

/// <summary>What a source record offers to the golden record (display forms, already cleaned).</summary>
internal sealed record SourceValues(
    string Source, string? Name, string? Email, string? Phone, string? Address, string? Postcode, string? Country, string? DateOfBirth,
    DateTimeOffset FirstSeen, DateTimeOffset LastSeen);

/// <summary>A golden record's values.</summary>
internal sealed record GoldenValues(
    string? Name, string? Email, string? Phone, string? Address, string? Postcode, string? Country, string? DateOfBirth,
    DateTimeOffset FirstSeen, DateTimeOffset LastSeen, int SourceCount);

/// <summary>
/// Survivorship: which source value the golden record shows. Name and date of birth: most frequent,
/// then source priority, then most complete, then most recent. E-mail: source priority, then most
/// recent. Phone: most recent. Address, postcode and country travel together from the most recent
/// record with an address, so a golden address is never stitched from two places. First/last seen:
/// earliest and latest. Ties end on ordinal order so the result never depends on input order.
/// </summary>
internal static class Survivorship
{
    public static GoldenValues Choose(IReadOnlyList<SourceValues> members, IReadOnlyList<string> sourcePriority)
    {
        int Priority(string source)
        {
            for (var i = 0; i < sourcePriority.Count; i++)
            {
                var p = sourcePriority[i];
                if (p.EndsWith('*') ? source.StartsWith(p[..^1], StringComparison.Ordinal) : source == p)
                {
                    return i;
                }
            }

            return sourcePriority.Count;
        }

        string? MostFrequent(Func<SourceValues, string?> field)
        {
            return members.Where(m => field(m) is not null)
                .GroupBy(m => field(m)!, StringComparer.Ordinal)
                .OrderByDescending(g => g.Count())
                .ThenBy(g => g.Min(m => Priority(m.Source)))
                .ThenByDescending(g => g.Key.Length)
                .ThenByDescending(g => g.Max(m => m.LastSeen))
                .ThenBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => g.Key)
                .FirstOrDefault();
        }

        SourceValues? Recent(Func<SourceValues, bool> has, bool byPriority) =>
            members.Where(has)
                .OrderBy(m => byPriority ? Priority(m.Source) : 0)
                .ThenByDescending(m => m.LastSeen)
                .ThenBy(m => m.Source, StringComparer.Ordinal)
                .ThenBy(m => $"{m.Email}|{m.Phone}|{m.Address}|{m.Postcode}|{m.Country}", StringComparer.Ordinal)
                .FirstOrDefault();

        var place = Recent(m => m.Address is not null, false) ?? Recent(m => m.Postcode is not null, false);
        return new GoldenValues(
            MostFrequent(m => m.Name),
            Recent(m => m.Email is not null, true)?.Email,
            Recent(m => m.Phone is not null, false)?.Phone,
            place?.Address,
            place?.Postcode,
            place?.Country ?? MostFrequent(m => m.Country),
            MostFrequent(m => m.DateOfBirth),
            members.Min(m => m.FirstSeen),
            members.Max(m => m.LastSeen),
            members.Count);
    }
}

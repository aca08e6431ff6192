using System.Globalization;
using System.Text.RegularExpressions;

namespace Crm.Pipeline.Backup;

/// <summary>
/// Which snapshots of a folder to keep: the newest of each of the <c>daily</c> most recent days that have one, then the
/// newest of each of the <c>weekly</c> most recent ISO weeks (UTC) before those, not counting a week a daily one was kept in,
/// so the weekly ones reach further back. With enough history that is
/// exactly daily + weekly snapshots; everything else (named <c>crm-yyyyMMddTHHmmssZ</c> and holding a manifest) goes.
/// Folders of other names, and half-written hidden ones, are never touched.
/// </summary>
public static partial class SnapshotRetention
{
    /// <summary>The snapshots in <paramref name="folder"/>, newest first, with the time in their name.</summary>
    public static IReadOnlyList<(string Path, DateTimeOffset Taken)> List(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return [];
        }

        var found = new List<(string, DateTimeOffset)>();
        foreach (var dir in Directory.EnumerateDirectories(folder))
        {
            var match = SnapshotName().Match(Path.GetFileName(dir));
            if (match.Success && File.Exists(Path.Combine(dir, SnapshotManifest.FileName))
                && DateTimeOffset.TryParseExact(match.Groups["t"].Value, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var taken))
            {
                found.Add((dir, taken));
            }
        }

        return [.. found.OrderByDescending(s => s.Item2).ThenByDescending(s => s.Item1, StringComparer.Ordinal)];
    }

    /// <summary>The snapshots to keep of <paramref name="snapshots"/> (newest first), by the rule above.</summary>
    public static IReadOnlySet<string> Keep(IReadOnlyList<(string Path, DateTimeOffset Taken)> snapshots, int daily, int weekly)
    {
        ArgumentNullException.ThrowIfNull(snapshots);
        var keep = new HashSet<string>(StringComparer.Ordinal);
        var days = new HashSet<DateOnly>();
        DateOnly? oldestDay = null;
        foreach (var (path, taken) in snapshots)
        {
            var day = DateOnly.FromDateTime(taken.UtcDateTime);
            if (days.Count >= daily && !days.Contains(day))
            {
                break;
            }

            if (days.Add(day))
            {
                keep.Add(path);
                oldestDay = day;
            }
        }

        var dailyWeeks = days.Select(d => (ISOWeek.GetYear(d.ToDateTime(TimeOnly.MinValue)), ISOWeek.GetWeekOfYear(d.ToDateTime(TimeOnly.MinValue)))).ToHashSet();
        var weeks = new HashSet<(int, int)>();
        foreach (var (path, taken) in snapshots)
        {
            var day = DateOnly.FromDateTime(taken.UtcDateTime);
            if (weeks.Count >= weekly)
            {
                break;
            }

            if (oldestDay is { } before && day >= before)
            {
                continue;
            }

            var week = (ISOWeek.GetYear(taken.UtcDateTime), ISOWeek.GetWeekOfYear(taken.UtcDateTime));
            if (!dailyWeeks.Contains(week) && weeks.Add(week))
            {
                keep.Add(path);
            }
        }

        return keep;
    }

    /// <summary>Deletes the snapshots of <paramref name="folder"/> the rule does not keep; returns their paths.</summary>
    public static IReadOnlyList<string> Prune(string folder, int daily, int weekly)
    {
        var snapshots = List(folder);
        var keep = Keep(snapshots, daily, weekly);
        var deleted = new List<string>();
        foreach (var (path, _) in snapshots)
        {
            if (!keep.Contains(path))
            {
                Directory.Delete(path, recursive: true);
                deleted.Add(path);
            }
        }

        return deleted;
    }

    [GeneratedRegex(@"^crm-(?<t>\d{8}T\d{6}Z)(-\d+)?$")]
    private static partial Regex SnapshotName();
}

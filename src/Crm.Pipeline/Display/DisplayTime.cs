using System.Globalization;

namespace Crm.Pipeline.Display;

/// <summary>
/// The one way the project shows a moment to people (dashboard pages, notifications): ISO 8601 with the zone's
/// offset, in the configured display time zone (<c>Crm:Display:TimeZone</c>, default UTC), e.g.
/// <c>2026-12-07T02:30:00Z</c> or <c>2026-12-07T03:30:00+01:00</c>.
/// </summary>
public static class DisplayTime
{
    /// <summary><paramref name="moment"/> in <paramref name="zone"/>, ISO 8601 to the second, with <c>Z</c> for UTC.</summary>
    public static string Format(DateTimeOffset moment, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var local = TimeZoneInfo.ConvertTime(moment, zone);
        return local.Offset == TimeSpan.Zero && zone.Id is "UTC" or "Etc/UTC" or "Etc/Universal"
            ? local.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : local.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
    }

    /// <summary>A UTC <see cref="DateTime"/> (as Npgsql returns <c>timestamptz</c>) in <paramref name="zone"/>.</summary>
    public static string Format(DateTime utc, TimeZoneInfo zone) =>
        Format(new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)), zone);

    /// <summary>The zone named <paramref name="id"/>, or UTC when it is empty.</summary>
    /// <exception cref="TimeZoneNotFoundException">No such zone (the settings check catches this at start).</exception>
    public static TimeZoneInfo Zone(string? id) =>
        string.IsNullOrWhiteSpace(id) ? TimeZoneInfo.Utc : TimeZoneInfo.FindSystemTimeZoneById(id);
}

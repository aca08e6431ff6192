using System.Globalization;

namespace Crm.Pipeline.Cleaning;

/// <summary>
/// Normalises dates (of birth, typically) to ISO <c>yyyy-MM-dd</c>. Accepts ISO, compact
/// <c>yyyyMMdd</c>, and day-first or month-first slashed/dotted forms (the order is a setting,
/// because 03/04/1980 is ambiguous). Rejects impossible dates and dates outside a plausible range.
/// </summary>
public static class DateNormalizer
{
    private static readonly string[] IsoFormats = ["yyyy-MM-dd", "yyyyMMdd", "yyyy/MM/dd", "yyyy.MM.dd", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-dd HH:mm:ss", "d MMM yyyy", "d MMMM yyyy", "MMM d, yyyy", "MMMM d, yyyy"];
    private static readonly string[] DayFirst = ["d/M/yyyy", "d.M.yyyy", "d-M-yyyy", "d/M/yy"];
    private static readonly string[] MonthFirst = ["M/d/yyyy", "M-d-yyyy", "M/d/yy"];

    /// <summary>Normalises <paramref name="raw"/>; <paramref name="dayFirst"/> reads 03/04/1980 as 3 April.</summary>
    /// <param name="raw">The date as given.</param>
    /// <param name="dayFirst">Day before month in slashed forms (true in most of the world, false in the US).</param>
    /// <param name="minYear">Earliest plausible year.</param>
    /// <param name="today">Latest plausible date (tests pass a fixed day).</param>
    public static Cleaned Normalize(string? raw, bool dayFirst = true, int minYear = 1900, DateOnly? today = null)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return Cleaned.Missing;
        }

        var s = raw.Trim();
        var max = today ?? DateOnly.FromDateTime(DateTime.UtcNow);
        if (!TryParse(s, dayFirst, out var date))
        {
            return Cleaned.Fail("date: not a valid date");
        }

        if (date.Year < minYear || date > max)
        {
            return Cleaned.Fail("date: out of range");
        }

        return Cleaned.Ok(date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
    }

    private static bool TryParse(string s, bool dayFirst, out DateOnly date)
    {
        var c = CultureInfo.InvariantCulture;
        if (DateOnly.TryParseExact(s, IsoFormats, c, DateTimeStyles.AllowWhiteSpaces, out date))
        {
            return true;
        }

        var first = dayFirst ? DayFirst : MonthFirst;
        var second = dayFirst ? MonthFirst : DayFirst;
        return DateOnly.TryParseExact(s, first, c, DateTimeStyles.AllowWhiteSpaces, out date)
            || DateOnly.TryParseExact(s, second, c, DateTimeStyles.AllowWhiteSpaces, out date);
    }
}

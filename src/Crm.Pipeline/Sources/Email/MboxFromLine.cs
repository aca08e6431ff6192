using System.Globalization;
using MimeKit.Utils;

namespace Crm.Pipeline.Sources.Email;

/// <summary>
/// The date on an mbox separator line (<c>From sender Mon Jan  1 00:00:00 2024</c>): when the delivering agent stored
/// the message. It stands in for a missing <c>Date:</c> header, as IMAP's INTERNALDATE does, since the load time would
/// make the sender look recently seen.
/// </summary>
internal static class MboxFromLine
{
    private static readonly string[] Months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

    /// <summary>
    /// Reads the date of <paramref name="marker"/> (with or without its leading <c>From </c>): the asctime form qmail,
    /// Postfix, Thunderbird and mutt write (no zone: UTC), optionally with a numeric zone or <c>UTC</c>/<c>GMT</c>
    /// before or after the year (Gmail's export writes <c>Thu Sep 24 17:10:21 +0000 2020</c>), else an RFC 5322 date.
    /// </summary>
    /// <returns>False when the line carries no date it can read.</returns>
    public static bool TryParseDate(string? marker, out DateTimeOffset date)
    {
        date = default;
        if (string.IsNullOrWhiteSpace(marker))
        {
            return false;
        }

        var tokens = marker.Split([' ', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries);
        var first = tokens.Length > 0 && tokens[0] == "From" ? 2 : 1; // the envelope sender comes first
        var rfc5322 = false;
        for (var i = first; i < tokens.Length; i++)
        {
            var month = Array.IndexOf(Months, tokens[i].ToLowerInvariant());
            if (month >= 0 && TryAsctime(tokens, i, month + 1, out date))
            {
                return true;
            }

            // "Tue, 05 Mar 2024 08:02:00 +0100": the day comes before the month.
            rfc5322 |= month >= 0 && i > first && int.TryParse(tokens[i - 1], NumberStyles.None, CultureInfo.InvariantCulture, out _);
        }

        if (rfc5322 && DateUtils.TryParse(string.Join(' ', tokens[first..]), out date))
        {
            return true;
        }

        date = default;
        return false;
    }

    /// <summary>Month at <paramref name="at"/>, then day, time, and year and zone in either order.</summary>
    private static bool TryAsctime(string[] tokens, int at, int month, out DateTimeOffset date)
    {
        date = default;
        if (at + 2 >= tokens.Length
            || !int.TryParse(tokens[at + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var day)
            || !TimeSpan.TryParseExact(tokens[at + 2], [@"h\:mm\:ss", @"h\:mm"], CultureInfo.InvariantCulture, out var time)
            || time >= TimeSpan.FromDays(1))
        {
            return false;
        }

        int? year = null;
        var offset = TimeSpan.Zero;
        for (var j = at + 3; j < Math.Min(tokens.Length, at + 5); j++)
        {
            var t = tokens[j];
            if (year is null && t.Length == 4 && int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var y))
            {
                year = y;
            }
            else if (t.Length == 5 && t[0] is '+' or '-' && int.TryParse(t.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var hhmm)
                     && hhmm % 100 < 60 && hhmm / 100 <= 14)
            {
                offset = new TimeSpan(hhmm / 100, hhmm % 100, 0) * (t[0] == '-' ? -1 : 1);
            }
            else if (t is not ("UTC" or "GMT" or "UT"))
            {
                break;
            }
        }

        if (year is not { } yy || yy < 1970 || day < 1 || day > DateTime.DaysInMonth(yy, month))
        {
            return false;
        }

        date = new DateTimeOffset(yy, month, day, 0, 0, 0, offset).Add(time);
        return true;
    }
}

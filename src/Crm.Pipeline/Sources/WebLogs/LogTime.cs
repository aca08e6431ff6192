using System.Globalization;
using System.Text;

namespace Crm.Pipeline.Sources.WebLogs;

/// <summary>Timestamp parsing on bytes for the formats web servers write, always to UTC ticks.</summary>
internal static class LogTime
{
    private static readonly long MinTicks = new DateTime(1990, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;
    private static readonly long MaxTicks = new DateTime(2200, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;

    /// <summary>Apache/nginx <c>dd/MMM/yyyy:HH:mm:ss +hhmm</c> (no brackets) → UTC ticks.</summary>
    public static bool TryParseClf(ReadOnlySpan<byte> s, out long utcTicks)
    {
        utcTicks = 0;
        // 17/May/2015:10:05:03 +0000  (26 bytes)
        if (s.Length != 26 || s[2] != '/' || s[6] != '/' || s[11] != ':' || s[14] != ':' || s[17] != ':' || s[20] != ' ')
        {
            return false;
        }

        if (!Digits2(s, 0, out var day) || !Digits4(s, 7, out var year) || !Digits2(s, 12, out var hour)
            || !Digits2(s, 15, out var minute) || !Digits2(s, 18, out var second))
        {
            return false;
        }

        var month = Month(s[3], s[4], s[5]);
        if (month == 0)
        {
            return false;
        }

        return TryOffset(s[21..], out var offsetMinutes)
            && TryCompose(year, month, day, hour, minute, second, 0, offsetMinutes, out utcTicks);
    }

    /// <summary>±hhmm or ±hh:mm or Z → minutes east of UTC.</summary>
    private static bool TryOffset(ReadOnlySpan<byte> s, out int minutes)
    {
        minutes = 0;
        if (s.Length == 1 && (s[0] == 'Z' || s[0] == 'z'))
        {
            return true;
        }

        if (s.Length is not (5 or 6) || (s[0] != '+' && s[0] != '-'))
        {
            return false;
        }

        if (!Digits2(s, 1, out var h))
        {
            return false;
        }

        var mStart = s.Length == 6 ? 4 : 3;
        if (s.Length == 6 && s[3] != ':')
        {
            return false;
        }

        if (!Digits2(s, mStart, out var m) || h > 14 || m > 59)
        {
            return false;
        }

        minutes = (h * 60 + m) * (s[0] == '-' ? -1 : 1);
        return true;
    }

    /// <summary>ISO 8601 (<c>2015-05-17T10:05:03+00:00</c>, fractional seconds, <c>Z</c>; no offset = UTC) → UTC ticks.</summary>
    public static bool TryParseIso(ReadOnlySpan<byte> s, out long utcTicks)
    {
        utcTicks = 0;
        if (s.Length < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' || s[16] != ':')
        {
            return false;
        }

        if (!Digits4(s, 0, out var year) || !Digits2(s, 5, out var month) || !Digits2(s, 8, out var day)
            || !Digits2(s, 11, out var hour) || !Digits2(s, 14, out var minute) || !Digits2(s, 17, out var second))
        {
            return false;
        }

        var i = 19;
        long fraction = 0;
        if (i < s.Length && (s[i] == '.' || s[i] == ','))
        {
            i++;
            var digits = 0;
            while (i < s.Length && (uint)(s[i] - '0') <= 9)
            {
                if (digits < 7)
                {
                    fraction = fraction * 10 + (s[i] - '0');
                    digits++;
                }

                i++;
            }

            if (digits == 0)
            {
                return false;
            }

            for (; digits < 7; digits++)
            {
                fraction *= 10;
            }
        }

        var offset = 0;
        if (i < s.Length && !TryOffset(s[i..], out offset))
        {
            return false;
        }

        return TryCompose(year, month, day, hour, minute, second, fraction, offset, out utcTicks);
    }

    /// <summary>W3C <c>date</c> and <c>time</c> fields (always UTC).</summary>
    public static bool TryParseW3c(ReadOnlySpan<byte> date, ReadOnlySpan<byte> time, out long utcTicks)
    {
        utcTicks = 0;
        if (date.Length != 10 || time.Length < 8 || date[4] != '-' || date[7] != '-' || time[2] != ':' || time[5] != ':')
        {
            return false;
        }

        if (!Digits4(date, 0, out var year) || !Digits2(date, 5, out var month) || !Digits2(date, 8, out var day)
            || !Digits2(time, 0, out var hour) || !Digits2(time, 3, out var minute) || !Digits2(time, 6, out var second))
        {
            return false;
        }

        return TryCompose(year, month, day, hour, minute, second, 0, 0, out utcTicks);
    }

    /// <summary>Unix epoch seconds with optional fraction (nginx <c>$msec</c>, many JSON logs).</summary>
    public static bool TryParseEpoch(ReadOnlySpan<byte> s, out long utcTicks)
    {
        utcTicks = 0;
        if (!double.TryParse(Encoding.ASCII.GetString(s), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            return false;
        }

        var ticks = DateTime.UnixEpoch.Ticks + (long)(seconds * TimeSpan.TicksPerSecond);
        if (ticks < MinTicks || ticks > MaxTicks)
        {
            return false;
        }

        utcTicks = ticks;
        return true;
    }

    private static bool TryCompose(int year, int month, int day, int hour, int minute, int second, long fraction, int offsetMinutes, out long utcTicks)
    {
        utcTicks = 0;
        if (year < 1990 || year > 2199 || month is < 1 or > 12 || day < 1 || hour > 23 || minute > 59 || second > 60)
        {
            return false;
        }

        if (day > DateTime.DaysInMonth(year, month))
        {
            return false;
        }

        if (second == 60)
        {
            second = 59; // leap second: keep the line, clamp
        }

        var ticks = DaysFromCivil(year, month, day) * TimeSpan.TicksPerDay
            + hour * TimeSpan.TicksPerHour + minute * TimeSpan.TicksPerMinute + second * TimeSpan.TicksPerSecond + fraction
            - offsetMinutes * TimeSpan.TicksPerMinute;
        utcTicks = ticks;
        return true;
    }

    // Days since 0001-01-01 (DateTime's epoch) without allocating a DateTime per line.
    private static long DaysFromCivil(int year, int month, int day)
    {
        var y = year - 1;
        long days = y * 365L + y / 4 - y / 100 + y / 400;
        days += CumulativeDays[month - 1] + day - 1;
        if (month > 2 && DateTime.IsLeapYear(year))
        {
            days++;
        }

        return days;
    }

    private static readonly int[] CumulativeDays = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

    private static bool Digits2(ReadOnlySpan<byte> s, int at, out int value)
    {
        var a = (uint)(s[at] - '0');
        var b = (uint)(s[at + 1] - '0');
        value = (int)(a * 10 + b);
        return a <= 9 && b <= 9;
    }

    private static bool Digits4(ReadOnlySpan<byte> s, int at, out int value)
    {
        value = 0;
        for (var i = 0; i < 4; i++)
        {
            var d = (uint)(s[at + i] - '0');
            if (d > 9)
            {
                return false;
            }

            value = value * 10 + (int)d;
        }

        return true;
    }

    private static int Month(byte a, byte b, byte c)
    {
        var key = ((a | 0x20) << 16) | ((b | 0x20) << 8) | (c | 0x20);
        return key switch
        {
            ('j' << 16) | ('a' << 8) | 'n' => 1,
            ('f' << 16) | ('e' << 8) | 'b' => 2,
            ('m' << 16) | ('a' << 8) | 'r' => 3,
            ('a' << 16) | ('p' << 8) | 'r' => 4,
            ('m' << 16) | ('a' << 8) | 'y' => 5,
            ('j' << 16) | ('u' << 8) | 'n' => 6,
            ('j' << 16) | ('u' << 8) | 'l' => 7,
            ('a' << 16) | ('u' << 8) | 'g' => 8,
            ('s' << 16) | ('e' << 8) | 'p' => 9,
            ('o' << 16) | ('c' << 8) | 't' => 10,
            ('n' << 16) | ('o' << 8) | 'v' => 11,
            ('d' << 16) | ('e' << 8) | 'c' => 12,
            _ => 0,
        };
    }
}

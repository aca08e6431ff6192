namespace Crm.Synthetic;

/// <summary>
/// UTC offsets with simplified daylight-saving rules (EU: last Sunday of March to last Sunday of
/// October; US: second Sunday of March to first Sunday of November). Computed here rather than
/// from the machine's tz database so the output does not change with the operating system.
/// </summary>
internal static class LocalTime
{
    public static int OffsetMinutes(int standardMinutes, string rule, DateTime utc)
    {
        if (rule.Length == 0)
        {
            return standardMinutes;
        }

        var year = utc.Year;
        DateTime begin, end;
        if (rule == "eu")
        {
            begin = LastSunday(year, 3).AddHours(1);
            end = LastSunday(year, 10).AddHours(1);
        }
        else
        {
            begin = NthSunday(year, 3, 2).AddHours(2 - standardMinutes / 60.0);
            end = NthSunday(year, 11, 1).AddHours(1 - standardMinutes / 60.0);
        }

        return utc >= begin && utc < end ? standardMinutes + 60 : standardMinutes;
    }

    private static DateTime LastSunday(int year, int month)
    {
        var d = new DateTime(year, month, DateTime.DaysInMonth(year, month), 0, 0, 0, DateTimeKind.Utc);
        return d.AddDays(-(int)d.DayOfWeek);
    }

    private static DateTime NthSunday(int year, int month, int n)
    {
        var d = new DateTime(year, month, 1, 0, 0, 0, DateTimeKind.Utc);
        d = d.AddDays((7 - (int)d.DayOfWeek) % 7);
        return d.AddDays(7 * (n - 1));
    }
}

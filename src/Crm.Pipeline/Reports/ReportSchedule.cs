namespace Crm.Pipeline.Reports;

/// <summary>
/// Works out which report period is due for a recipient. A schedule is local wall-clock time plus an
/// IANA zone, so a report set for 08:00 Europe/Berlin goes out at 08:00 there in winter and in summer.
/// Only the latest due period is returned: after downtime the missed report goes out once, late,
/// instead of once per missed firing.
/// </summary>
/// <remarks>
/// Periods: daily = the days since the previous business day (Monday's report covers Friday to
/// Sunday); weekly = the seven days before the configured weekday; monthly = the previous calendar
/// month. A weekly or monthly send day that is not a business day moves to the next business day.
/// </remarks>
public sealed class ReportSchedule
{
    private readonly HashSet<DayOfWeek> _weekend;
    private readonly HashSet<DateOnly> _holidays;

    /// <summary>Creates a schedule with the given business calendar.</summary>
    public ReportSchedule(BusinessCalendarOptions calendar)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        _weekend = [.. calendar.Weekend ?? [DayOfWeek.Saturday, DayOfWeek.Sunday]];
        _holidays = [.. calendar.Holidays];
        if (_weekend.Count >= 7)
        {
            throw new ArgumentException("The business calendar has no business day: Crm:Reports:Calendar:Weekend lists all seven days.", nameof(calendar));
        }
    }

    /// <summary>True when <paramref name="day"/> is neither a weekend day nor a holiday.</summary>
    public bool IsBusinessDay(DateOnly day) => !_weekend.Contains(day.DayOfWeek) && !_holidays.Contains(day);

    /// <summary>
    /// The latest period of <paramref name="recipient"/> whose send time is at or before <paramref name="nowUtc"/>.
    /// </summary>
    /// <exception cref="TimeZoneNotFoundException">The recipient's time zone is not a known IANA zone.</exception>
    public ReportPeriod LatestDue(RecipientOptions recipient, DateTimeOffset nowUtc)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(recipient.TimeZone);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(nowUtc, zone).DateTime);
        // Walk back from today's (possibly future) firing; at most a few months of days.
        for (var day = today.AddDays(1); day >= today.AddDays(-800); day = day.AddDays(-1))
        {
            if (PeriodSentOn(recipient, day) is { } p)
            {
                var due = SendTimeUtc(day, recipient.Hour, zone);
                if (due <= nowUtc)
                {
                    return p with { DueUtc = due };
                }
            }
        }

        throw new InvalidOperationException($"No business day found in the schedule of {recipient.Address}; check Crm:Reports:Calendar.");
    }

    /// <summary>The period whose report is sent on local <paramref name="day"/>, or null when none is.</summary>
    internal ReportPeriod? PeriodSentOn(RecipientOptions recipient, DateOnly day)
    {
        if (!IsBusinessDay(day))
        {
            return null;
        }

        switch (recipient.Cadence)
        {
            case "daily":
                {
                    var previous = day.AddDays(-1);
                    while (!IsBusinessDay(previous))
                    {
                        previous = previous.AddDays(-1);
                    }

                    // Monday covers Friday..Sunday: from the previous business day up to today.
                    return new ReportPeriod("daily", previous, day, default);
                }

            case "weekly":
                {
                    // The nominal send day is the latest configured weekday on or before `day`,
                    // and `day` must be the first business day on or after it.
                    var nominal = day.AddDays(-(((int)day.DayOfWeek - (int)recipient.Weekday + 7) % 7));
                    return FirstBusinessDayFrom(nominal) == day ? new ReportPeriod("weekly", nominal.AddDays(-7), nominal, default) : null;
                }

            case "monthly":
                {
                    var dom = Math.Clamp(recipient.DayOfMonth, 1, 28);
                    var nominal = new DateOnly(day.Year, day.Month, dom);
                    if (nominal > day)
                    {
                        nominal = nominal.AddMonths(-1);
                    }

                    var monthStart = new DateOnly(nominal.Year, nominal.Month, 1).AddMonths(-1);
                    return FirstBusinessDayFrom(nominal) == day ? new ReportPeriod("monthly", monthStart, monthStart.AddMonths(1), default) : null;
                }

            default:
                throw new InvalidOperationException($"Unknown cadence '{recipient.Cadence}' for {recipient.Address}: use daily, weekly or monthly.");
        }
    }

    /// <summary>
    /// Local <paramref name="day"/> at <paramref name="hour"/>:00 in <paramref name="zone"/>, as UTC. A time that
    /// does not exist (the spring-forward gap) moves forward by the gap; an ambiguous one takes the first occurrence.
    /// </summary>
    internal static DateTimeOffset SendTimeUtc(DateOnly day, int hour, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(new TimeOnly(Math.Clamp(hour, 0, 23), 0), DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(local))
        {
            // Inside the gap the wall clock jumped: keep the offset from before the jump, which lands
            // just as far past the gap as the configured time was into it (02:30 → 03:30).
            return new DateTimeOffset(local, zone.GetUtcOffset(local.AddHours(-6))).ToUniversalTime();
        }

        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset).ToUniversalTime();
    }

    private DateOnly FirstBusinessDayFrom(DateOnly day)
    {
        while (!IsBusinessDay(day))
        {
            day = day.AddDays(1);
        }

        return day;
    }
}

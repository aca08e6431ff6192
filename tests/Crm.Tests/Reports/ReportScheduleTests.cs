using Crm.Pipeline.Reports;

namespace Crm.Tests.Reports;

public sealed class ReportScheduleTests
{
    private static readonly ReportSchedule Weekdays = new(new BusinessCalendarOptions());

    private static RecipientOptions Recipient(string cadence, string zone = "Europe/Berlin", int hour = 8) =>
        new() { Address = "m@x.test", Cadence = cadence, TimeZone = zone, Hour = hour, Weekday = DayOfWeek.Monday, DayOfMonth = 1 };

    [Fact]
    public void WeeklyReport_GoesOutAtEightLocal_InWinterAndInSummer()
    {
        var r = Recipient("weekly");
        // Monday 2026-01-12 08:00 CET = 07:00 UTC; Monday 2026-07-13 08:00 CEST = 06:00 UTC.
        var winter = Weekdays.LatestDue(r, new DateTimeOffset(2026, 1, 12, 7, 30, 0, TimeSpan.Zero));
        var summer = Weekdays.LatestDue(r, new DateTimeOffset(2026, 7, 13, 6, 30, 0, TimeSpan.Zero));

        Assert.Equal(new DateTimeOffset(2026, 1, 12, 7, 0, 0, TimeSpan.Zero), winter.DueUtc);
        Assert.Equal(new DateTimeOffset(2026, 7, 13, 6, 0, 0, TimeSpan.Zero), summer.DueUtc);
        Assert.Equal("weekly:2026-01-05..2026-01-12", winter.Key);
        Assert.Equal("weekly:2026-07-06..2026-07-13", summer.Key);
    }

    [Fact]
    public void WeeklyReport_OnTheMondayAfterTheSpringChange_StillGoesOutAtEightLocal()
    {
        // Europe/Berlin switched to summer time on Sunday 2026-03-29.
        var due = Weekdays.LatestDue(Recipient("weekly"), new DateTimeOffset(2026, 3, 30, 12, 0, 0, TimeSpan.Zero));

        Assert.Equal(new DateTimeOffset(2026, 3, 30, 6, 0, 0, TimeSpan.Zero), due.DueUtc);
    }

    [Fact]
    public void BeforeTheSendHour_ThePreviousPeriodIsTheLatestDue()
    {
        // 07:59 local on Monday 2026-01-12 (06:59 UTC): this week's report is not due yet.
        var due = Weekdays.LatestDue(Recipient("weekly"), new DateTimeOffset(2026, 1, 12, 6, 59, 0, TimeSpan.Zero));

        Assert.Equal("weekly:2025-12-29..2026-01-05", due.Key);
    }

    [Fact]
    public void AfterThreeWeeksOfDowntime_OnlyTheLatestPeriodIsDue()
    {
        var due = Weekdays.LatestDue(Recipient("weekly"), new DateTimeOffset(2026, 2, 4, 12, 0, 0, TimeSpan.Zero));

        Assert.Equal("weekly:2026-01-26..2026-02-02", due.Key);
    }

    [Fact]
    public void DailyReport_OnMonday_CoversFridayToSunday()
    {
        var due = Weekdays.LatestDue(Recipient("daily", "UTC"), new DateTimeOffset(2026, 1, 12, 9, 0, 0, TimeSpan.Zero));

        Assert.Equal("daily:2026-01-09..2026-01-12", due.Key);
        Assert.Equal(3, due.Days);
    }

    [Fact]
    public void DailyReport_SkipsAHoliday_AndTheNextOneCoversIt()
    {
        var schedule = new ReportSchedule(new BusinessCalendarOptions { Holidays = [new DateOnly(2026, 12, 25)] });
        var r = Recipient("daily", "UTC");

        var onHoliday = schedule.LatestDue(r, new DateTimeOffset(2026, 12, 25, 12, 0, 0, TimeSpan.Zero));
        var after = schedule.LatestDue(r, new DateTimeOffset(2026, 12, 28, 12, 0, 0, TimeSpan.Zero));

        Assert.Equal("daily:2026-12-23..2026-12-24", onHoliday.Key);   // Thursday's report, sent on the 24th
        Assert.Equal("daily:2026-12-24..2026-12-28", after.Key);       // Monday covers the 24th to Sunday
    }

    [Fact]
    public void MonthlyReport_DueOnASunday_MovesToMonday()
    {
        // 2026-03-01 is a Sunday.
        var r = Recipient("monthly", "UTC");

        var sunday = Weekdays.LatestDue(r, new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        var monday = Weekdays.LatestDue(r, new DateTimeOffset(2026, 3, 2, 8, 0, 0, TimeSpan.Zero));

        Assert.Equal("monthly:2026-01-01..2026-02-01", sunday.Key);
        Assert.Equal("monthly:2026-02-01..2026-03-01", monday.Key);
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 8, 0, 0, TimeSpan.Zero), monday.DueUtc);
    }

    [Fact]
    public void ComparisonPeriods_AreThePreviousPeriodAndTheSameDatesAYearBefore()
    {
        var p = new ReportPeriod("monthly", new DateOnly(2026, 3, 1), new DateOnly(2026, 4, 1), default);

        Assert.Equal((new DateOnly(2026, 2, 1), new DateOnly(2026, 3, 1)), p.Previous);
        Assert.Equal((new DateOnly(2025, 3, 1), new DateOnly(2025, 4, 1)), p.YearBefore);
    }

    [Fact]
    public void SendTime_InTheSpringForwardGap_MovesPastTheGap()
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

        // 02:00 does not exist on 2026-03-29 in Berlin (01:59 CET is followed by 03:00 CEST).
        var at = ReportSchedule.SendTimeUtc(new DateOnly(2026, 3, 29), 2, zone);

        Assert.Equal(new DateTimeOffset(2026, 3, 29, 1, 0, 0, TimeSpan.Zero), at);
    }

    [Fact]
    public void SendTime_InTheAutumnOverlap_TakesTheFirstOccurrence()
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

        // 01:00 happens twice on 2026-11-01 in New York; the first is 01:00 EDT = 05:00 UTC.
        var at = ReportSchedule.SendTimeUtc(new DateOnly(2026, 11, 1), 1, zone);

        Assert.Equal(new DateTimeOffset(2026, 11, 1, 5, 0, 0, TimeSpan.Zero), at);
    }
}

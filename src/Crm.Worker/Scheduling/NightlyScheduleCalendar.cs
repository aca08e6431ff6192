using System.Globalization;
using Crm.Pipeline.Notifications;
using Microsoft.Extensions.Options;
using Quartz;
using Quartz.Impl.Calendar;

namespace Crm.Worker.Scheduling;

/// <summary>
/// The nightly's firings as Quartz computes them from <c>Crm:Schedules</c>: each schedule whose job is
/// <c>nightly</c>, its cron expression in its zone, less its excluded dates (the same calendar
/// <see cref="ScheduleRegistrar"/> gives the trigger). A pause on the Schedules page is not a calendar: a paused
/// nightly still counts as due, so the dead-man's switch tells of it.
/// </summary>
public sealed class NightlyScheduleCalendar : INightlyCalendar
{
    private readonly List<(CronExpression Cron, HolidayCalendar Calendar)> _nightly = [];

    /// <summary>Reads the schedules (already checked by <see cref="SchedulesValidator"/> at start).</summary>
    public NightlyScheduleCalendar(IOptions<SchedulesOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        foreach (var s in options.Value.Items.Where(s => s.Job == "nightly"))
        {
            var zone = TimeZoneInfo.FindSystemTimeZoneById(s.TimeZone);
            var calendar = new HolidayCalendar { TimeZone = zone };
            foreach (var d in s.ExcludedDates)
            {
                calendar.AddExcludedDay(DateOnly.ParseExact(d, "yyyy-MM-dd", CultureInfo.InvariantCulture));
            }

            _nightly.Add((new CronExpression(s.Cron, zone), calendar));
        }
    }

    /// <inheritdoc />
    public bool IsDueBetween(DateTimeOffset fromUtc, DateTimeOffset toUtc)
    {
        if (_nightly.Count == 0)
        {
            return true;
        }

        foreach (var (cron, calendar) in _nightly)
        {
            for (var next = cron.GetNextValidTimeAfter(fromUtc); next is { } at && at <= toUtc; next = cron.GetNextValidTimeAfter(at))
            {
                if (calendar.IsTimeIncluded(at))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <inheritdoc />
    public DateTimeOffset? LastDueAtOrBefore(DateTimeOffset nowUtc)
    {
        // Quartz computes firings forwards only: look back two days first (a nightly cron fires once a day), and
        // further only when the calendar excluded every firing in that window.
        foreach (var days in (int[])[2, 32, 366])
        {
            DateTimeOffset? latest = null;
            foreach (var (cron, calendar) in _nightly)
            {
                for (var next = cron.GetNextValidTimeAfter(nowUtc.AddDays(-days)); next is { } at && at <= nowUtc; next = cron.GetNextValidTimeAfter(at))
                {
                    if (calendar.IsTimeIncluded(at) && (latest is null || at > latest))
                    {
                        latest = at;
                    }
                }
            }

            if (latest is not null)
            {
                return latest;
            }
        }

        return null;
    }
}

using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Quartz;
using Quartz.Impl.Calendar;

namespace Crm.Worker.Scheduling;

/// <summary>
/// Makes Quartz's clustered store match the configured schedules at start-up: one cron trigger
/// per schedule (in its time zone, with its calendar of excluded dates), and no trigger left for
/// a schedule that was removed from configuration.
/// </summary>
public sealed class ScheduleRegistrar : IHostedService
{
    /// <summary>Quartz group of our jobs and triggers.</summary>
    public const string Group = "crm";

    private readonly ISchedulerFactory _schedulerFactory;
    private readonly IOptions<SchedulesOptions> _options;

    /// <summary>Creates the registrar.</summary>
    public ScheduleRegistrar(ISchedulerFactory schedulerFactory, IOptions<SchedulesOptions> options)
    {
        _schedulerFactory = schedulerFactory;
        _options = options;
    }

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var scheduler = await _schedulerFactory.GetScheduler(cancellationToken).ConfigureAwait(false);
        var wanted = new HashSet<TriggerKey>();
        foreach (var s in _options.Value.Items)
        {
            var zone = TimeZoneInfo.FindSystemTimeZoneById(s.TimeZone);
            var calendarName = $"{s.Name}-excluded";
            var calendar = new HolidayCalendar { TimeZone = zone };
            foreach (var d in s.ExcludedDates)
            {
                calendar.AddExcludedDay(DateOnly.ParseExact(d, "yyyy-MM-dd", CultureInfo.InvariantCulture));
            }

            await scheduler.AddCalendar(calendarName, calendar, AddCalendarOptions.ReplacingAndUpdatingTriggers, cancellationToken).ConfigureAwait(false);
            var job = JobBuilder.Create<EnqueueJob>()
                .WithIdentity(s.Name, Group)
                .UsingJobData(EnqueueJob.JobKey, s.Job)
                .StoreDurably()
                .Build();
            var key = new TriggerKey(s.Name, Group);
            wanted.Add(key);
            var trigger = TriggerBuilder.Create()
                .WithIdentity(key)
                .ForJob(job)
                .WithCronSchedule(s.Cron, b =>
                {
                    b.InTimeZone(zone);
                    // After downtime: one late firing (FireAndProceed), never one per missed occurrence.
                    _ = s.Misfire == "Skip" ? b.WithMisfireInstruction(CronTriggerMisfireInstruction.DoNothing) : b.WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed);
                })
                .WithCalendarName(calendarName)
                .Build();
            // Replacing a trigger forgets that an admin paused it (Schedules page): keep the pause across restarts.
            var paused = await scheduler.GetTriggerState(key, cancellationToken).ConfigureAwait(false) == TriggerState.Paused;
            await scheduler.ScheduleJob(job, trigger, ScheduleJobOptions.Replacing, cancellationToken).ConfigureAwait(false);
            if (paused)
            {
                await scheduler.PauseTrigger(key, cancellationToken).ConfigureAwait(false);
            }
        }

        foreach (var existing in await scheduler.GetTriggerKeys(GroupMatcher<TriggerKey>.GroupEquals(Group), cancellationToken).ConfigureAwait(false))
        {
            if (!wanted.Contains(existing))
            {
                await scheduler.UnscheduleJob(existing, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

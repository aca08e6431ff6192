using Crm.Dashboard.Schedules;
using Quartz;
using Quartz.Impl.Calendar;

namespace Crm.Worker.Scheduling;

/// <summary>
/// The Schedules page's view of Quartz's clustered store and its actions on it. Works in <c>crm serve</c> (the node's
/// own scheduler) and in <c>crm dashboard</c> alone (a scheduler on the same store that is never started: it only
/// reads and writes the store, and the worker nodes act on what it wrote).
/// </summary>
public sealed class QuartzScheduleAdmin : IScheduleAdmin
{
    /// <summary>Quartz group of the one-off triggers of "Fire now".</summary>
    public const string ManualGroup = "crm-manual";

    private readonly ISchedulerFactory _factory;
    private readonly TimeProvider _clock;

    /// <summary>Created by the host.</summary>
    public QuartzScheduleAdmin(ISchedulerFactory factory, TimeProvider clock)
    {
        _factory = factory;
        _clock = clock;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ScheduleView>> ListAsync(CancellationToken cancellationToken)
    {
        var scheduler = await _factory.GetScheduler(cancellationToken).ConfigureAwait(false);
        var views = new List<ScheduleView>();
        var keys = await scheduler.GetTriggerKeys(GroupMatcher<TriggerKey>.GroupEquals(ScheduleRegistrar.Group), cancellationToken).ConfigureAwait(false);
        foreach (var key in keys.OrderBy(k => k.Name, StringComparer.Ordinal))
        {
            if (await scheduler.GetTrigger(key, cancellationToken).ConfigureAwait(false) is not ICronTrigger trigger)
            {
                continue;
            }

            var detail = await scheduler.GetJobDetail(trigger.JobKey, cancellationToken).ConfigureAwait(false);
            var job = detail?.JobDataMap.GetString(EnqueueJob.JobKey) ?? "nightly";
            ICalendar? calendar = trigger.CalendarName is { } name ? await scheduler.GetCalendar(name, cancellationToken).ConfigureAwait(false) : null;
            var state = await scheduler.GetTriggerState(key, cancellationToken).ConfigureAwait(false);
            views.Add(new ScheduleView(
                key.Name, key.ToString(), job, trigger.CronExpressionString ?? "", trigger.TimeZone.Id,
                calendar switch
                {
                    HolidayCalendar { DaysExcluded.Count: 0 } => null,
                    HolidayCalendar holidays => $"{trigger.CalendarName} ({holidays.DaysExcluded.Count} excluded {(holidays.DaysExcluded.Count == 1 ? "day" : "days")})",
                    _ => trigger.CalendarName,
                },
                (CronTriggerMisfireInstruction)trigger.MisfireInstructionCode switch
                {
                    CronTriggerMisfireInstruction.DoNothing => "Skip (missed firings are dropped)",
                    CronTriggerMisfireInstruction.IgnoreMisfires => "Ignore (every missed firing)",
                    _ => "FireOnceNow (one late firing)",
                },
                trigger.PreviousFireTimeUtc,
                NextFirings(trigger, calendar, 3),
                state == TriggerState.Paused,
                state.ToString()));
        }

        return views;
    }

    /// <inheritdoc />
    public async Task<bool> PauseAsync(string name, CancellationToken cancellationToken)
    {
        var scheduler = await _factory.GetScheduler(cancellationToken).ConfigureAwait(false);
        var key = new TriggerKey(name, ScheduleRegistrar.Group);
        if (!await scheduler.Exists(key, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        await scheduler.PauseTrigger(key, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <inheritdoc />
    public async Task<bool> ResumeAsync(string name, CancellationToken cancellationToken)
    {
        var scheduler = await _factory.GetScheduler(cancellationToken).ConfigureAwait(false);
        var key = new TriggerKey(name, ScheduleRegistrar.Group);
        if (!await scheduler.Exists(key, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        await scheduler.ResumeTrigger(key, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <inheritdoc />
    public async Task<string?> FireNowAsync(string name, CancellationToken cancellationToken)
    {
        var scheduler = await _factory.GetScheduler(cancellationToken).ConfigureAwait(false);
        var key = new TriggerKey(name, ScheduleRegistrar.Group);
        if (await scheduler.GetTrigger(key, cancellationToken).ConfigureAwait(false) is not { } trigger)
        {
            return null;
        }

        // A one-off trigger of its own, so its firing (and the run it enqueues) can be told apart and linked to.
        var once = TriggerBuilder.Create()
            .WithIdentity($"{name}-now-{Guid.NewGuid():N}", ManualGroup)
            .ForJob(trigger.JobKey)
            .StartAt(_clock.GetUtcNow())
            .WithSimpleSchedule(s => s.WithRepeatCount(0).WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow))
            .Build();
        await scheduler.ScheduleTrigger(once, TriggerConflict.Throw, cancellationToken).ConfigureAwait(false);
        return once.Key + "@";
    }

    private List<DateTimeOffset> NextFirings(ICronTrigger trigger, ICalendar? calendar, int count)
    {
        var next = new List<DateTimeOffset>();
        var after = _clock.GetUtcNow();
        // A calendar may exclude many days in a row: look a few hundred occurrences ahead at most.
        for (var i = 0; i < 400 && next.Count < count; i++)
        {
            if (trigger.GetFireTimeAfter(after) is not { } at)
            {
                break;
            }

            if (calendar is null || calendar.IsTimeIncluded(at))
            {
                next.Add(at);
            }

            after = at;
        }

        return next;
    }
}

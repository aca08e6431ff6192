namespace Crm.Dashboard.Schedules;

/// <summary>
/// What the Schedules page needs of the scheduler: every trigger as it stands, and the admin's three actions. The
/// service implements it on Quartz's clustered store, so a pause taken on the dashboard holds on every node.
/// </summary>
public interface IScheduleAdmin
{
    /// <summary>Every configured schedule's trigger, by name.</summary>
    Task<IReadOnlyList<ScheduleView>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Pauses the schedule's trigger; false when there is no such schedule.</summary>
    Task<bool> PauseAsync(string name, CancellationToken cancellationToken);

    /// <summary>Resumes the schedule's trigger (a firing missed while paused follows its misfire rule); false when there is no such schedule.</summary>
    Task<bool> ResumeAsync(string name, CancellationToken cancellationToken);

    /// <summary>
    /// Fires the schedule's job once now, through the same path as its own firings (one enqueue per firing);
    /// returns the firing's key prefix, with which its run can be found in <c>ops.pipeline_run.trigger_key</c>, or null when
    /// there is no such schedule.
    /// </summary>
    Task<string?> FireNowAsync(string name, CancellationToken cancellationToken);
}

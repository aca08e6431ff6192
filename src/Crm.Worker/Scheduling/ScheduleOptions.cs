namespace Crm.Worker.Scheduling;

/// <summary>
/// One schedule: when Quartz fires, and which Hangfire job the firing enqueues. Bound from
/// the <c>Crm:Schedules</c> array.
/// </summary>
public sealed class ScheduleOptions
{
    /// <summary>Unique name; the Quartz trigger's identity.</summary>
    public string Name { get; set; } = "";

    /// <summary><c>nightly</c> for the whole chain, or one stage name.</summary>
    public string Job { get; set; } = "nightly";

    /// <summary>Quartz cron expression (seconds first), e.g. <c>0 0 2 * * ?</c>.</summary>
    public string Cron { get; set; } = "";

    /// <summary>IANA time zone the cron expression is read in.</summary>
    public string TimeZone { get; set; } = "UTC";

    /// <summary>Dates (yyyy-MM-dd, in the schedule's zone) on which the schedule does not fire: holidays, blackout days.</summary>
    public List<string> ExcludedDates { get; set; } = [];

    /// <summary>What to do with firings missed while every node was down: <c>FireOnceNow</c> (default) or <c>Skip</c>.</summary>
    public string Misfire { get; set; } = "FireOnceNow";
}

namespace Crm.Pipeline.Notifications;

/// <summary>
/// When the nightly run is due, as its schedules (cron, zone and calendar of excluded dates) say: the dead-man's switch
/// asks it whether a night that had no run was a night that should have had one. The service registers one built
/// from <c>Crm:Schedules</c>; without one, every night is due.
/// </summary>
public interface INightlyCalendar
{
    /// <summary>
    /// True when at least one nightly schedule was due to fire after <paramref name="fromUtc"/> and at or before
    /// <paramref name="toUtc"/>; also true when no schedule runs the nightly (then nothing says a night is off).
    /// </summary>
    bool IsDueBetween(DateTimeOffset fromUtc, DateTimeOffset toUtc);

    /// <summary>
    /// The latest firing of a nightly schedule at or before <paramref name="nowUtc"/> that its calendar does not
    /// exclude, looking back at most a year; null when no schedule runs the nightly or none was due in that year.
    /// Exported as <c>crm_nightly_last_due_timestamp_seconds</c>, so Prometheus's <c>CrmNightlyLate</c> skips
    /// excluded nights as the dead-man's switch does.
    /// </summary>
    DateTimeOffset? LastDueAtOrBefore(DateTimeOffset nowUtc);
}

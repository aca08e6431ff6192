namespace Crm.Dashboard.Schedules;

/// <summary>One trigger as the Schedules page shows it.</summary>
/// <param name="Name">The schedule's name (Crm:Schedules:N:Name), the trigger's name.</param>
/// <param name="TriggerKey">Quartz's key as the firings record it (<c>group.name</c>).</param>
/// <param name="Job">What it enqueues: <c>nightly</c> or a stage.</param>
/// <param name="Cron">The cron expression (seconds first).</param>
/// <param name="TimeZone">The zone the expression is read in.</param>
/// <param name="Calendar">The calendar of excluded days, with how many it excludes.</param>
/// <param name="Misfire">What a missed firing does.</param>
/// <param name="Previous">The last firing's scheduled time, if any.</param>
/// <param name="Next">The next firings (calendar applied), up to three.</param>
/// <param name="Paused">Paused by an admin.</param>
/// <param name="State">Quartz's trigger state.</param>
public sealed record ScheduleView(
    string Name, string TriggerKey, string Job, string Cron, string TimeZone, string? Calendar, string Misfire,
    DateTimeOffset? Previous, IReadOnlyList<DateTimeOffset> Next, bool Paused, string State);

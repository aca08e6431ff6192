namespace Crm.Worker.Scheduling;

/// <summary>All schedules.</summary>
public sealed class SchedulesOptions
{
    /// <summary>The configured schedules.</summary>
    public List<ScheduleOptions> Items { get; set; } = [];
}

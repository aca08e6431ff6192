namespace Crm.Pipeline.Reports;

/// <summary>Which days are business days.</summary>
public sealed class BusinessCalendarOptions
{
    /// <summary>Non-business weekdays. Unset → Saturday and Sunday; an empty list → every day is a business day.</summary>
    public List<DayOfWeek>? Weekend { get; set; }

    /// <summary>Holidays (local dates, <c>yyyy-MM-dd</c>).</summary>
    public List<DateOnly> Holidays { get; set; } = [];
}

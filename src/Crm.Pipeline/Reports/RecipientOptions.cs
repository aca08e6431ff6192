namespace Crm.Pipeline.Reports;

/// <summary>One manager and the report they get.</summary>
public sealed class RecipientOptions
{
    /// <summary>Display name, used in the greeting.</summary>
    public string Name { get; set; } = "";

    /// <summary>Email address.</summary>
    public string Address { get; set; } = "";

    /// <summary>IANA time zone, e.g. <c>Europe/Berlin</c>; the schedule is wall-clock time there.</summary>
    public string TimeZone { get; set; } = "UTC";

    /// <summary><c>daily</c>, <c>weekly</c> or <c>monthly</c>.</summary>
    public string Cadence { get; set; } = "weekly";

    /// <summary>For weekly reports: the day it goes out (e.g. <c>Monday</c>).</summary>
    public DayOfWeek Weekday { get; set; } = DayOfWeek.Monday;

    /// <summary>For monthly reports: the day of the month it goes out (1–28). Default 1.</summary>
    public int DayOfMonth { get; set; } = 1;

    /// <summary>Local hour (0–23) the report goes out. Default 8.</summary>
    public int Hour { get; set; } = 8;

    /// <summary>Which customers the report covers. Empty → all.</summary>
    public ReportScopeOptions Scope { get; set; } = new();

    /// <summary>Language of the labels: <c>en</c> (default) or <c>zh</c>.</summary>
    public string Language { get; set; } = "en";

    /// <summary>A fixed "now" for this recipient only (demos over historical data); wins over <see cref="ReportsOptions.AsOf"/>.</summary>
    public DateTimeOffset? AsOf { get; set; }
}

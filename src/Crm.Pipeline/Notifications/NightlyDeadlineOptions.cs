using Crm.Pipeline.Reports;

namespace Crm.Pipeline.Notifications;

/// <summary>Times of day (in <see cref="TimeZone"/>) by which the nightly run must have started and finished.</summary>
public sealed class NightlyDeadlineOptions
{
    /// <summary><c>HH:mm</c> or <c>HH:mm:ss</c>; empty → not watched.</summary>
    public string? StartBy { get; set; }

    /// <summary><c>HH:mm</c> or <c>HH:mm:ss</c>; empty → not watched.</summary>
    public string? FinishBy { get; set; }

    /// <summary>IANA time zone of the two times. Default UTC.</summary>
    public string TimeZone { get; set; } = "UTC";
}

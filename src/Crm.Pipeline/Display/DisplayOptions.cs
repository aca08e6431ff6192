namespace Crm.Pipeline.Display;

/// <summary><c>Crm:Display</c>: how the project shows times to people.</summary>
public sealed class DisplayOptions
{
    /// <summary>IANA time zone every page and notification shows times in. Default UTC.</summary>
    public string TimeZone { get; set; } = "UTC";

    /// <summary>The zone of <see cref="TimeZone"/>.</summary>
    public TimeZoneInfo Zone => DisplayTime.Zone(TimeZone);
}

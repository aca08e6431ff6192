namespace Crm.Dashboard.Security;

/// <summary>Access to <c>/metrics</c> (<c>Crm:Dashboard:Metrics</c>). A signed-in dashboard user may always read it.</summary>
public sealed class MetricsAccessOptions
{
    /// <summary>
    /// <c>auto</c>: without login or token only when the dashboard listens on loopback addresses alone and
    /// the client is on this machine (not a client behind a proxy); <c>always</c>; <c>never</c>.
    /// </summary>
    public string Anonymous { get; set; } = "auto";

    /// <summary>A scraper sending <c>Authorization: Bearer</c> with this value may read the metrics (at least 16 characters).</summary>
    public string? BearerToken { get; set; }
}

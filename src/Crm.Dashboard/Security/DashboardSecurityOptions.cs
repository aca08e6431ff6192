namespace Crm.Dashboard.Security;

/// <summary>
/// How the dashboard defends itself, read from <c>Crm:Dashboard</c>: which reverse proxies it believes,
/// HSTS, login throttling and who may read <c>/metrics</c>.
/// </summary>
public sealed class DashboardSecurityOptions
{
    /// <summary>
    /// Addresses of reverse proxies whose <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> are believed.
    /// Empty together with <see cref="KnownNetworks"/>: loopback only (127.0.0.0/8 and ::1).
    /// </summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Networks (CIDR, e.g. <c>10.0.0.0/8</c>) of believed reverse proxies; see <see cref="KnownProxies"/>.</summary>
    public List<string> KnownNetworks { get; set; } = [];

    /// <summary><c>max-age</c> of the <c>Strict-Transport-Security</c> header sent on HTTPS requests; 0 sends none.</summary>
    public int HstsMaxAgeDays { get; set; } = 365;

    /// <summary>Delays and lockouts after failed sign-ins.</summary>
    public LoginThrottleOptions LoginThrottle { get; set; } = new();

    /// <summary>Who may read <c>/metrics</c>.</summary>
    public MetricsAccessOptions Metrics { get; set; } = new();
}

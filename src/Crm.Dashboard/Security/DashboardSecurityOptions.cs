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

/// <summary>Login throttling (<c>Crm:Dashboard:LoginThrottle</c>), counted per user name and per client address.</summary>
public sealed class LoginThrottleOptions
{
    /// <summary>Failures (per name or address) answered without delay.</summary>
    public int FreeAttempts { get; set; } = 3;

    /// <summary>Delay of the first failure after the free ones; it doubles with each further failure.</summary>
    public double DelaySeconds { get; set; } = 1;

    /// <summary>The longest delay.</summary>
    public double MaxDelaySeconds { get; set; } = 16;

    /// <summary>Failures for one user name that lock that name out.</summary>
    public int UserLockoutFailures { get; set; } = 10;

    /// <summary>Failures from one client address (any names) that lock that address out.</summary>
    public int AddressLockoutFailures { get; set; } = 30;

    /// <summary>How long a lockout lasts; every sign-in for the name or from the address gets 429 meanwhile.</summary>
    public int LockoutMinutes { get; set; } = 15;

    /// <summary>Failures older than this are forgotten.</summary>
    public int WindowMinutes { get; set; } = 15;
}

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

namespace Crm.Dashboard.Security;

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

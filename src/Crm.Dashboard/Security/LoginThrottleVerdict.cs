namespace Crm.Dashboard.Security;

/// <summary>What the throttle says about one sign-in.</summary>
/// <param name="LockedOut">The sign-in is refused (429).</param>
/// <param name="RetryAfter">When refused: how long until the lockout ends.</param>
/// <param name="Delay">When not refused: how long to wait before answering the failure.</param>
/// <param name="JustLocked">This failure started the lockout (log it once).</param>
/// <param name="Failures">Recent failures of the name or the address, whichever is more.</param>
public readonly record struct LoginThrottleVerdict(bool LockedOut, TimeSpan RetryAfter, TimeSpan Delay, bool JustLocked, int Failures);

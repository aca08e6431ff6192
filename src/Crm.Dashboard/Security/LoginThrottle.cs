using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Crm.Dashboard.Security;

/// <summary>
/// Counts failed sign-ins per user name and per client address (in memory, per dashboard process).
/// After <see cref="LoginThrottleOptions.FreeAttempts"/> failures each further one is answered after a
/// doubling delay; at the lockout threshold the name or address is refused with 429 for
/// <see cref="LoginThrottleOptions.LockoutMinutes"/>, whatever the password. Parallel guesses do not
/// escape the count: every failure is counted when it happens, the delay only slows the answer.
/// </summary>
public sealed class LoginThrottle
{
    private const int PruneAbove = 10_000;
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeProvider _clock;
    private readonly IOptionsMonitor<DashboardSecurityOptions> _options;

    /// <summary>Creates the throttle on <paramref name="clock"/> with the current <c>Crm:Dashboard:LoginThrottle</c> settings.</summary>
    public LoginThrottle(TimeProvider clock, IOptionsMonitor<DashboardSecurityOptions> options)
    {
        _clock = clock;
        _options = options;
    }

    /// <summary>Whether a sign-in for <paramref name="userName"/> from <paramref name="clientAddress"/> is refused now, and for how long.</summary>
    public LoginThrottleVerdict Check(string userName, string clientAddress)
    {
        var now = _clock.GetUtcNow();
        var until = Max(LockedUntil(UserKey(userName), now), LockedUntil(AddressKey(clientAddress), now));
        return until is { } u ? new LoginThrottleVerdict(true, u - now, TimeSpan.Zero, false, 0) : default;
    }

    /// <summary>Counts a failed sign-in; says how long to delay the answer and whether this failure locked the name or address.</summary>
    public LoginThrottleVerdict RecordFailure(string userName, string clientAddress)
    {
        var settings = _options.CurrentValue.LoginThrottle;
        var now = _clock.GetUtcNow();
        if (_entries.Count > PruneAbove)
        {
            Prune(now, settings);
        }

        var (userFailures, userLocked) = Count(UserKey(userName), settings.UserLockoutFailures, now, settings);
        var (addressFailures, addressLocked) = Count(AddressKey(clientAddress), settings.AddressLockoutFailures, now, settings);
        var failures = Math.Max(userFailures, addressFailures);
        if (userLocked || addressLocked)
        {
            return new LoginThrottleVerdict(true, TimeSpan.FromMinutes(settings.LockoutMinutes), TimeSpan.Zero, true, failures);
        }

        return new LoginThrottleVerdict(false, TimeSpan.Zero, DelayAfter(failures, settings), false, failures);
    }

    /// <summary>Forgets the failures of <paramref name="userName"/> after a successful sign-in (the address keeps its count).</summary>
    public void RecordSuccess(string userName) => _entries.TryRemove(UserKey(userName), out _);

    /// <summary>The delay after the <paramref name="failures"/>-th recent failure: none for the free ones, then doubling up to the maximum.</summary>
    public static TimeSpan DelayAfter(int failures, LoginThrottleOptions settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (failures <= settings.FreeAttempts || settings.DelaySeconds <= 0)
        {
            return TimeSpan.Zero;
        }

        var exponent = Math.Min(failures - settings.FreeAttempts - 1, 30);
        return TimeSpan.FromSeconds(Math.Min(settings.DelaySeconds * Math.Pow(2, exponent), settings.MaxDelaySeconds));
    }

    private (int Failures, bool LockedNow) Count(string key, int threshold, DateTimeOffset now, LoginThrottleOptions settings)
    {
        var entry = _entries.GetOrAdd(key, _ => new Entry());
        lock (entry)
        {
            var lockExpired = entry.LockedUntil is { } until && until <= now;
            var stale = now - entry.LastFailure > TimeSpan.FromMinutes(settings.WindowMinutes);
            if (lockExpired || (stale && entry.LockedUntil is null))
            {
                entry.Failures = 0;
                entry.LockedUntil = null;
            }

            entry.Failures++;
            entry.LastFailure = now;
            if (entry.LockedUntil is null && entry.Failures >= threshold)
            {
                entry.LockedUntil = now.AddMinutes(settings.LockoutMinutes);
                return (entry.Failures, true);
            }

            return (entry.Failures, false);
        }
    }

    private DateTimeOffset? LockedUntil(string key, DateTimeOffset now)
    {
        if (!_entries.TryGetValue(key, out var entry))
        {
            return null;
        }

        lock (entry)
        {
            return entry.LockedUntil is { } until && until > now ? until : null;
        }
    }

    // Many names or addresses at once (a spray): drop what no longer counts. Live entries stay, so a
    // flood from many addresses costs memory in proportion to its rate, and each address locks itself out.
    private void Prune(DateTimeOffset now, LoginThrottleOptions settings)
    {
        var window = TimeSpan.FromMinutes(Math.Max(settings.WindowMinutes, settings.LockoutMinutes));
        foreach (var (key, entry) in _entries)
        {
            bool expired;
            lock (entry)
            {
                expired = now - entry.LastFailure > window && (entry.LockedUntil is null || entry.LockedUntil <= now);
            }

            if (expired)
            {
                _entries.TryRemove(key, out _);
            }
        }
    }

    private static DateTimeOffset? Max(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;

    private static string UserKey(string userName) => "user:" + userName;

    private static string AddressKey(string clientAddress) => "address:" + clientAddress;

    private sealed class Entry
    {
        public int Failures { get; set; }

        public DateTimeOffset LastFailure { get; set; }

        public DateTimeOffset? LockedUntil { get; set; }
    }
}

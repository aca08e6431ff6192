using System.Globalization;
using System.Net;
using Microsoft.Extensions.Options;

namespace Crm.Dashboard.Security;

/// <summary>Checks <see cref="DashboardSecurityOptions"/> at start and names every bad setting with its value.</summary>
public sealed class DashboardSecurityOptionsValidator : IValidateOptions<DashboardSecurityOptions>
{
    /// <summary>The values <see cref="MetricsAccessOptions.Anonymous"/> accepts.</summary>
    public static readonly string[] AnonymousModes = ["auto", "always", "never"];

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, DashboardSecurityOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        for (var i = 0; i < options.KnownProxies.Count; i++)
        {
            if (!IPAddress.TryParse(options.KnownProxies[i], out _))
            {
                failures.Add($"Crm:Dashboard:KnownProxies:{i} '{options.KnownProxies[i]}' is not an IP address; give the reverse proxy's address, e.g. 127.0.0.1");
            }
        }

        for (var i = 0; i < options.KnownNetworks.Count; i++)
        {
            if (!IPNetwork.TryParse(options.KnownNetworks[i], out _))
            {
                failures.Add($"Crm:Dashboard:KnownNetworks:{i} '{options.KnownNetworks[i]}' is not a network in CIDR form; write it like 10.0.0.0/8");
            }
        }

        AtLeast(failures, "HstsMaxAgeDays", options.HstsMaxAgeDays, 0);
        var t = options.LoginThrottle;
        AtLeast(failures, "LoginThrottle:FreeAttempts", t.FreeAttempts, 0);
        AtLeast(failures, "LoginThrottle:UserLockoutFailures", t.UserLockoutFailures, 1);
        AtLeast(failures, "LoginThrottle:AddressLockoutFailures", t.AddressLockoutFailures, 1);
        AtLeast(failures, "LoginThrottle:LockoutMinutes", t.LockoutMinutes, 1);
        AtLeast(failures, "LoginThrottle:WindowMinutes", t.WindowMinutes, 1);
        if (t.DelaySeconds is < 0 or > 60)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"Crm:Dashboard:LoginThrottle:DelaySeconds must be between 0 and 60 (got {t.DelaySeconds})"));
        }

        if (t.MaxDelaySeconds < t.DelaySeconds || t.MaxDelaySeconds > 60)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"Crm:Dashboard:LoginThrottle:MaxDelaySeconds must be between DelaySeconds ({t.DelaySeconds}) and 60 (got {t.MaxDelaySeconds})"));
        }

        if (!AnonymousModes.Contains(options.Metrics.Anonymous, StringComparer.Ordinal))
        {
            failures.Add($"Crm:Dashboard:Metrics:Anonymous '{options.Metrics.Anonymous}' is not one of {string.Join(", ", AnonymousModes)}");
        }

        if (options.Metrics.BearerToken is { } token && token.Length < 16)
        {
            failures.Add($"Crm:Dashboard:Metrics:BearerToken is {token.Length} characters long; use at least 16 random characters (e.g. from `openssl rand -hex 24`), or remove it");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void AtLeast(List<string> failures, string setting, int value, int minimum)
    {
        if (value < minimum)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"Crm:Dashboard:{setting} must be at least {minimum} (got {value})"));
        }
    }
}

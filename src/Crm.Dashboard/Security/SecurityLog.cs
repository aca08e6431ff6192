namespace Crm.Dashboard.Security;

/// <summary>The dashboard's security log lines (event ids 7001-7009). Never a password or a token.</summary>
internal static partial class SecurityLog
{
    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "Failed sign-in for user {UserName} from {ClientAddress} ({Failures} recent failures)")]
    public static partial void SignInFailed(ILogger logger, string userName, string clientAddress, int failures);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Warning, Message = "Sign-in locked out for {LockoutMinutes} min after {Failures} failures: user {UserName}, client {ClientAddress}")]
    public static partial void LockedOut(ILogger logger, string userName, string clientAddress, int failures, int lockoutMinutes);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Information, Message = "Refused sign-in during a lockout: user {UserName}, client {ClientAddress}")]
    public static partial void RefusedLockedOut(ILogger logger, string userName, string clientAddress);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Warning, Message = "Refused a POST {Path} from {ClientAddress} without a valid anti-forgery token (a stale form, or another site posting it)")]
    public static partial void AntiforgeryRefused(ILogger logger, string path, string clientAddress);

    [LoggerMessage(EventId = 7005, Level = LogLevel.Information, Message = "Signed in: user {UserName} from {ClientAddress}")]
    public static partial void SignedIn(ILogger logger, string userName, string clientAddress);

    [LoggerMessage(EventId = 7006, Level = LogLevel.Information, Message = "Refused /metrics to {ClientAddress}: not signed in and no valid bearer token")]
    public static partial void MetricsRefused(ILogger logger, string clientAddress);

    /// <summary>A name as typed, made safe for a log line: control characters replaced, at most 64 characters.</summary>
    public static string Printable(string value)
    {
        var text = value.Length > 64 ? value[..64] + "…" : value;
        return string.Create(text.Length, text, (span, s) =>
        {
            for (var i = 0; i < s.Length; i++)
            {
                span[i] = char.IsControl(s[i]) ? '?' : s[i];
            }
        });
    }

    /// <summary>The client's address after forwarded headers from known proxies (IPv4 without the ::ffff: prefix).</summary>
    public static string ClientAddress(HttpContext http)
    {
        var address = http.Connection.RemoteIpAddress;
        if (address is null)
        {
            return "unknown";
        }

        return (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
    }
}

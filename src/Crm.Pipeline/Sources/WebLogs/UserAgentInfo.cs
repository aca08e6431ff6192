namespace Crm.Pipeline.Sources.WebLogs;

/// <summary>What a user-agent string says about the client.</summary>
/// <param name="Browser">Browser (or bot) family, e.g. <c>Chrome</c>, <c>Googlebot</c>, <c>Other</c>.</param>
/// <param name="BrowserVersion">Major[.minor] version, when known.</param>
/// <param name="Os">Operating system family, e.g. <c>Windows</c>, <c>iOS</c>, <c>Other</c>.</param>
/// <param name="OsVersion">Major[.minor] version, when known.</param>
/// <param name="Device">Device family from uap-core, e.g. <c>iPhone</c>, <c>Spider</c>, <c>Other</c>.</param>
/// <param name="DeviceType">desktop | mobile | tablet | bot.</param>
/// <param name="IsBot">True for a known crawler (crawler-user-agents list or uap-core's <c>Spider</c> device).</param>
public sealed record UserAgentInfo(string Browser, string? BrowserVersion, string Os, string? OsVersion, string Device, string DeviceType, bool IsBot)
{
    /// <summary>The classification of an absent user agent.</summary>
    public static readonly UserAgentInfo Unknown = new("Other", null, "Other", null, "Other", "desktop", false);
}

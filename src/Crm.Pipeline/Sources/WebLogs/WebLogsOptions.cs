namespace Crm.Pipeline.Sources.WebLogs;

/// <summary>Web-log settings, bound from <c>Crm:WebLogs</c>.</summary>
public sealed class WebLogsOptions
{
    /// <summary>The configured sites.</summary>
    public List<WebLogSourceOptions> Sources { get; set; } = [];

    /// <summary>Inactivity that ends a session, in minutes.</summary>
    public int SessionTimeoutMinutes { get; set; } = 30;

    /// <summary>A session with at least this many pages and no asset request behaves like a bot.</summary>
    public int BotMinPagesWithoutAssets { get; set; } = 10;

    /// <summary>A session of at least 20 requests faster than this many per minute behaves like a bot.</summary>
    public int BotMaxRequestsPerMinute { get; set; } = 60;

    /// <summary>The email campaign send logs that resolve tracking tokens to addresses.</summary>
    public CampaignSendsOptions CampaignSends { get; set; } = new();
}

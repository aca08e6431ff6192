namespace Crm.Synthetic;

/// <summary>Log formats the generator writes.</summary>
internal enum LogFormat
{
    /// <summary>Apache/Nginx combined, local time with offset.</summary>
    Combined,

    /// <summary>A custom nginx <c>log_format</c> (<see cref="WebSite.NginxCustomFormat"/>), ISO 8601 UTC times, visitor cookie.</summary>
    NginxCustom,

    /// <summary>W3C extended (IIS) with <c>#Fields:</c> headers, UTC.</summary>
    W3C,
}

/// <summary>One web site of the shop and how its server logs.</summary>
internal sealed class WebSite
{
    public const string NginxCustomFormat =
        "log_format crm '$remote_addr - $remote_user [$time_iso8601] \"$request\" $status $body_bytes_sent \"$http_referer\" \"$http_user_agent\" rt=$request_time vid=\"$cookie_vid\" host=$host';";

    public const string CombinedFormat =
        "%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-agent}i\"";

    public const string W3CFields =
        "date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken";

    public required string Name { get; init; }
    public required string Host { get; init; }
    public required LogFormat Format { get; init; }
    public required int OffsetMinutes { get; init; }
    public required string DstRule { get; init; }
    public required string TimeZone { get; init; }

    public static readonly WebSite[] All =
    [
        new() { Name = "www", Host = "www." + WebVocabulary.ShopDomain, Format = LogFormat.Combined, OffsetMinutes = 60, DstRule = "eu", TimeZone = "Europe/Berlin" },
        new() { Name = "m", Host = "m." + WebVocabulary.ShopDomain, Format = LogFormat.NginxCustom, OffsetMinutes = 0, DstRule = "", TimeZone = "UTC" },
        new() { Name = "help", Host = "help." + WebVocabulary.ShopDomain, Format = LogFormat.W3C, OffsetMinutes = 0, DstRule = "", TimeZone = "UTC" },
    ];

    public static string FormatName(LogFormat f) => f switch
    {
        LogFormat.Combined => "combined",
        LogFormat.NginxCustom => "nginx_custom",
        _ => "w3c",
    };
}

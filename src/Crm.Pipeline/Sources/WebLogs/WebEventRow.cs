namespace Crm.Pipeline.Sources.WebLogs;

/// <summary>A hit ready for <c>core.web_event</c> (the columns of the binary COPY).</summary>
internal sealed class WebEventRow
{
    public DateTime EventTs;
    public string VisitorKey = "";
    public long ByteOffset;
    public string? ClientIp;
    public string? UserId;
    public string? Method;
    public string? Path;
    public string? Query;
    public short Status;
    public long? Bytes;
    public string? Referrer;
    public string? UserAgent;
    public UserAgentInfo Agent = UserAgentInfo.Unknown;
    public bool IsPage;
    public bool IsAsset;
    public bool IsConversion;
    public string? UtmSource;
    public string? UtmMedium;
    public string? UtmCampaign;
    public string? UtmTerm;
    public string? UtmContent;
    public string? TrackingToken;
    public string? TrackingEmail;
}

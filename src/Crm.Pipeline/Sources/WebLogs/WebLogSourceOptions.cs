using Microsoft.Extensions.Options;

namespace Crm.Pipeline.Sources.WebLogs;

/// <summary>
/// One website's access logs: where the web server leaves them, their format, and how hits map
/// to visitors and customers. Bound from <c>Crm:WebLogs:Sources</c>.
/// </summary>
public sealed class WebLogSourceOptions
{
    /// <summary>The site's name (unique); it prefixes visitor keys and file identities.</summary>
    public string Name { get; set; } = "";

    /// <summary>The folder the web server writes to (optional for one-off loads).</summary>
    public string? Folder { get; set; }

    /// <summary>File name pattern in the folder; rotated and gzipped files match too (e.g. <c>access.log*</c>).</summary>
    public string Pattern { get; set; } = "*.log*";

    /// <summary>
    /// <c>auto</c> (detect from the first lines), <c>combined</c>, <c>common</c>, <c>nginx</c> (nginx's
    /// default <c>combined</c>), <c>w3c</c> (IIS), <c>json</c>, or <c>custom</c> with <see cref="LogFormat"/>.
    /// </summary>
    public string Format { get; set; } = "auto";

    /// <summary>A custom Apache <c>LogFormat</c> (<c>%h %l …</c>) or nginx <c>log_format</c> (<c>$remote_addr …</c>) string.</summary>
    public string? LogFormat { get; set; }

    /// <summary>For <c>json</c>: field (time, client_ip, user, request, method, path, query, status, bytes, referrer, user_agent, cookie) → property name.</summary>
    public Dictionary<string, string> JsonFields { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Client IP privacy: <c>keep</c>, <c>truncate</c> (IPv4 /24, IPv6 /48) or <c>hash</c> (HMAC-SHA-256 with <see cref="IpSalt"/>).</summary>
    public string IpPrivacy { get; set; } = "truncate";

    /// <summary>Secret salt for <c>hash</c> mode; from configuration or environment (<c>Crm__WebLogs__Sources__0__IpSalt</c>), never from code.</summary>
    public string? IpSalt { get; set; }

    /// <summary>Cookie carrying a stable visitor id, when the site sets one.</summary>
    public string? VisitorCookie { get; set; }

    /// <summary>Cookie carrying the logged-in user's id.</summary>
    public string? UserIdCookie { get; set; }

    /// <summary>Query parameter carrying the logged-in user's id (e.g. on a login redirect).</summary>
    public string? UserIdQueryParameter { get; set; }

    /// <summary>
    /// The <c>core.source_customer</c> source a logged-in user id belongs to, e.g. <c>orders:shop</c>
    /// when the site's accounts are the order feed's customer ids. Empty: logins link to <c>web:&lt;Name&gt;</c>.
    /// </summary>
    public string? LoginSource { get; set; }

    /// <summary>The email tracking query parameter.</summary>
    public string TrackingParameter { get; set; } = "crm_tid";

    /// <summary>Path prefixes whose successful hit counts as a conversion (e.g. <c>/checkout/complete</c>).</summary>
    public List<string> ConversionPaths { get; set; } = [];

    /// <summary>Largest file segment per transaction, in bytes; bounds memory whatever the file size.</summary>
    public int SegmentBytes { get; set; } = 16 << 20;

    /// <summary>Longest line accepted, in bytes; longer ones are quarantined.</summary>
    public int MaxLineBytes { get; set; } = 64 * 1024;

    internal string LinkSourceForLogins => string.IsNullOrWhiteSpace(LoginSource) ? "web:" + Name : LoginSource!;
}

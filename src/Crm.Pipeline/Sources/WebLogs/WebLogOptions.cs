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

/// <summary>Checks <see cref="WebLogsOptions"/> at start, naming each bad setting.</summary>
public sealed class WebLogsOptionsValidator : IValidateOptions<WebLogsOptions>
{
    private static readonly string[] Formats = ["auto", "combined", "common", "nginx", "w3c", "iis", "json", "custom"];

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, WebLogsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.SessionTimeoutMinutes is < 1 or > 24 * 60)
        {
            failures.Add($"Crm:WebLogs:SessionTimeoutMinutes must be 1..1440; got {options.SessionTimeoutMinutes}.");
        }

        if (!string.IsNullOrWhiteSpace(options.CampaignSends.Folder)
            && (string.IsNullOrWhiteSpace(options.CampaignSends.TokenColumn) || string.IsNullOrWhiteSpace(options.CampaignSends.EmailColumn)))
        {
            failures.Add("Crm:WebLogs:CampaignSends:TokenColumn and EmailColumn are required when a Folder is set.");
        }

        if (!string.IsNullOrWhiteSpace(options.CampaignSends.Folder))
        {
            if (SourceFolders.Problem(options.CampaignSends.Folder) is { } sendsProblem)
            {
                failures.Add($"Crm:WebLogs:CampaignSends:Folder '{options.CampaignSends.Folder}' {sendsProblem}; create it, or fix the path.");
            }

            if (SourceFolders.PatternProblem(options.CampaignSends.Pattern) is { } sendsPattern)
            {
                failures.Add($"Crm:WebLogs:CampaignSends:Pattern '{options.CampaignSends.Pattern}' {sendsPattern}.");
            }
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Sources.Count; i++)
        {
            var s = options.Sources[i];
            var at = $"Crm:WebLogs:Sources:{i}";
            if (string.IsNullOrWhiteSpace(s.Name))
            {
                failures.Add($"{at}:Name is required.");
            }
            else if (!names.Add(s.Name))
            {
                failures.Add($"{at}:Name '{s.Name}' is used twice.");
            }

            if (!string.IsNullOrWhiteSpace(s.Folder) && SourceFolders.Problem(s.Folder) is { } folderProblem)
            {
                failures.Add($"{at}:Folder '{s.Folder}' {folderProblem}; create it, or fix the path.");
            }

            if (SourceFolders.PatternProblem(s.Pattern) is { } patternProblem)
            {
                failures.Add($"{at}:Pattern '{s.Pattern}' {patternProblem}.");
            }

            if (WebLogFormats.Validate(s) is { } formatError)
            {
                failures.Add($"{at}: {formatError}");
            }

            if (s.IpPrivacy is not ("keep" or "truncate" or "hash"))
            {
                failures.Add($"{at}:IpPrivacy must be keep, truncate or hash; got '{s.IpPrivacy}'.");
            }
            else if (s.IpPrivacy == "hash" && string.IsNullOrEmpty(s.IpSalt))
            {
                failures.Add($"{at}:IpSalt is required for IpPrivacy 'hash' (set it from the environment, e.g. Crm__WebLogs__Sources__{i}__IpSalt).");
            }

            if (s.SegmentBytes < 64 * 1024)
            {
                failures.Add($"{at}:SegmentBytes must be at least 65536; got {s.SegmentBytes}.");
            }

            if (s.MaxLineBytes is < 1024 or > 16 << 20)
            {
                failures.Add($"{at}:MaxLineBytes must be 1024..16777216; got {s.MaxLineBytes}.");
            }

            if (!Formats.Contains(s.Format.ToLowerInvariant()))
            {
                failures.Add($"{at}:Format must be one of {string.Join(", ", Formats)}; got '{s.Format}'.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Crm.Dashboard.Security;

/// <summary>
/// Headers on every response: Content-Security-Policy (unless the endpoint set a stricter one),
/// <c>X-Content-Type-Options</c>, <c>Referrer-Policy</c>, <c>X-Frame-Options</c>, and HSTS when the
/// request is HTTPS (directly or through a known proxy).
/// </summary>
/// <remarks>
/// Hangfire 1.8's pages load their scripts and styles from the dashboard itself and keep their settings
/// in data attributes, so <c>script-src 'self'</c> holds for them. Their markup (and ours) uses style
/// attributes for progress bars and the like, hence <c>style-src 'unsafe-inline'</c>; the one inline script
/// of ours (the progress page's reload) is allowed by its hash.
/// </remarks>
internal sealed class SecurityHeaders
{
    /// <summary>The progress page's reload script, exactly as written into the page.</summary>
    public const string ProgressReloadScript = "setTimeout(function () { location.reload(); }, 2000);";

    /// <summary>The policy of the Hangfire pages and everything else without its own.</summary>
    public static readonly string DashboardPolicy =
        "default-src 'self'; script-src 'self' 'sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(ProgressReloadScript))) + "'; "
        + "style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private readonly RequestDelegate _next;
    private readonly IOptionsMonitor<DashboardSecurityOptions> _options;

    public SecurityHeaders(RequestDelegate next, IOptionsMonitor<DashboardSecurityOptions> options)
    {
        _next = next;
        _options = options;
    }

    /// <summary>A policy for a page of our own that allows nothing but its one nonce-marked style block.</summary>
    public static string PagePolicy(string nonce) =>
        $"default-src 'none'; style-src 'nonce-{nonce}'; img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    public Task InvokeAsync(HttpContext http)
    {
        http.Response.OnStarting(static state =>
        {
            var (context, hstsDays) = ((HttpContext, int))state;
            var headers = context.Response.Headers;
            if (!headers.ContainsKey("Content-Security-Policy"))
            {
                headers.ContentSecurityPolicy = DashboardPolicy;
            }

            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "same-origin";
            headers.XFrameOptions = "DENY"; // for browsers without frame-ancestors; replaces the anti-forgery's SAMEORIGIN
            if (context.Request.IsHttps && hstsDays > 0)
            {
                headers.StrictTransportSecurity = $"max-age={(long)hstsDays * 86400}";
            }

            return Task.CompletedTask;
        }, (http, _options.CurrentValue.HstsMaxAgeDays));
        return _next(http);
    }
}

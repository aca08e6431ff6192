using System.Net;
using Hangfire.Dashboard;
using Npgsql;

namespace Crm.Dashboard.Pages;

/// <summary>
/// The confirmation after "Run now" or "Fire now": the command leaves a short-lived cookie naming the run (or the
/// firing), and the page the dashboard reloads shows it once, with a link to the run's progress.
/// </summary>
internal static class Flash
{
    private const string Cookie = "crm.started";

    /// <summary>Remembers that run <paramref name="runId"/> was started by this request.</summary>
    public static void RunStarted(HttpContext http, Guid runId, string what) => Set(http, $"run|{runId}|{what}");

    /// <summary>Remembers that a firing with key prefix <paramref name="firing"/> of schedule <paramref name="schedule"/> was asked for.</summary>
    public static void Fired(HttpContext http, string firing, string schedule) => Set(http, $"fire|{firing}|{schedule}");

    /// <summary>The confirmation as HTML (once: the cookie is cleared), or "" when there is none.</summary>
    public static string Render(HttpContext http, UrlHelper url, NpgsqlDataSource warehouse)
    {
        if (!http.Request.Cookies.TryGetValue(Cookie, out var value) || string.IsNullOrEmpty(value))
        {
            return "";
        }

        http.Response.Cookies.Delete(Cookie, Options(http));
        var parts = value.Split('|', 3);
        if (parts.Length != 3)
        {
            return "";
        }

        if (parts[0] == "run" && Guid.TryParse(parts[1], out var runId))
        {
            return $"<div class=\"alert alert-success\" id=\"crm-started\">Started {WebUtility.HtmlEncode(parts[2])} as run <code>{runId}</code>. "
                + $"<a href=\"{url.To("/runs")}?run={runId}\">Follow its progress</a> (or the <a href=\"{url.To("/progress")}\">Progress</a> page).</div>";
        }

        if (parts[0] == "fire")
        {
            using var command = warehouse.CreateCommand("select run_id from ops.pipeline_run where trigger_key like @p || '%' order by started_at limit 1");
            command.Parameters.AddWithValue("p", parts[1]);
            var run = command.ExecuteScalar() as Guid?;
            var link = $"{url.To("/runs")}?firing={Uri.EscapeDataString(parts[1])}";
            return $"<div class=\"alert alert-success\" id=\"crm-started\">Fired schedule <strong>{WebUtility.HtmlEncode(parts[2])}</strong> now"
                + (run is { } id ? $": run <code>{id}</code>. " : ": a service node picks the firing up within seconds. ")
                + $"<a href=\"{link}\">Follow its run</a>.</div>";
        }

        return "";
    }

    private static void Set(HttpContext http, string value) => http.Response.Cookies.Append(Cookie, value, Options(http));

    private static CookieOptions Options(HttpContext http) => new()
    {
        HttpOnly = true,
        Secure = http.Request.IsHttps,
        SameSite = SameSiteMode.Strict,
        Path = "/hangfire",
        MaxAge = TimeSpan.FromMinutes(5),
    };
}

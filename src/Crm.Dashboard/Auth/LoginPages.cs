using System.Net;
using System.Security.Cryptography;
using Crm.Dashboard.Security;
using Microsoft.AspNetCore.Antiforgery;

namespace Crm.Dashboard.Auth;

/// <summary>
/// The HTML of the login, logout and lockout pages. Each carries a fresh anti-forgery token and its own
/// Content-Security-Policy: nothing but the one style block marked with this response's nonce.
/// </summary>
internal static class LoginPages
{
    private const string Style = """
        body { font-family: system-ui, sans-serif; background: #f4f6f8; margin: 0; }
        form { max-width: 320px; margin: 12vh auto; background: #fff; padding: 28px; border-radius: 8px; box-shadow: 0 1px 4px rgba(0,0,0,.12); }
        h1 { font-size: 20px; margin: 0 0 16px; } label { display: block; margin: 12px 0 4px; font-size: 14px; }
        input[type=text], input[type=password] { width: 100%; box-sizing: border-box; padding: 8px; font-size: 15px; }
        button { margin-top: 18px; width: 100%; padding: 10px; font-size: 15px; background: #1d5fa8; color: #fff; border: 0; border-radius: 4px; }
        .error { color: #b00020; font-size: 14px; } p { font-size: 14px; } a { color: #1d5fa8; }
        """;

    public static IResult Login(HttpContext http, IAntiforgery antiforgery, string returnUrl, string? error, int status)
    {
        var tokens = antiforgery.GetAndStoreTokens(http);
        var body = $"""
            <form method="post" action="/login">
              <h1>Crm dashboard</h1>
              {(error is null ? "" : $"<p class=\"error\" role=\"alert\">{WebUtility.HtmlEncode(error)}</p>")}
              {Token(tokens)}
              <input type="hidden" name="returnUrl" value="{WebUtility.HtmlEncode(returnUrl)}">
              <label for="username">User</label><input id="username" name="username" type="text" autocomplete="username" required>
              <label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
              <button type="submit">Sign in</button>
            </form>
            """;
        return Page(http, "sign in", body, status);
    }

    public static IResult TooMany(HttpContext http, IAntiforgery antiforgery, string returnUrl, TimeSpan retryAfter)
    {
        http.Response.Headers.RetryAfter = LoginEndpoints.RetryAfterSeconds(retryAfter);
        var minutes = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalMinutes));
        return Login(http, antiforgery, returnUrl,
            $"Too many failed sign-ins for this user name or from this address. Try again in {minutes} min, or ask an admin to check the dashboard's log.",
            StatusCodes.Status429TooManyRequests);
    }

    public static IResult Logout(HttpContext http, IAntiforgery antiforgery)
    {
        var tokens = antiforgery.GetAndStoreTokens(http);
        var body = $"""
            <form method="post" action="/logout">
              <h1>Crm dashboard</h1>
              <p>Signed in as <strong>{WebUtility.HtmlEncode(http.User.Identity?.Name ?? "")}</strong>.</p>
              {Token(tokens)}
              <button type="submit">Sign out</button>
              <p><a href="/hangfire">Back to the dashboard</a></p>
            </form>
            """;
        return Page(http, "sign out", body, StatusCodes.Status200OK);
    }

    private static string Token(AntiforgeryTokenSet tokens) =>
        $"<input type=\"hidden\" name=\"{WebUtility.HtmlEncode(tokens.FormFieldName)}\" value=\"{WebUtility.HtmlEncode(tokens.RequestToken)}\">";

    private static IResult Page(HttpContext http, string title, string body, int status)
    {
        var nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        http.Response.Headers.ContentSecurityPolicy = SecurityHeaders.PagePolicy(nonce);
        http.Response.Headers.CacheControl = "no-store";
        var html = $"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Crm — {title}</title>
            <style nonce="{nonce}">
            {Style}
            </style></head>
            <body>{body}</body></html>
            """;
        return Results.Content(html, "text/html; charset=utf-8", statusCode: status);
    }
}

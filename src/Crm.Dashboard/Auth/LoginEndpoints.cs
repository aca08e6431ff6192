using System.Net;
using System.Security.Claims;
using Crm.Pipeline.Ops;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace Crm.Dashboard.Auth;

/// <summary>The login and logout pages: a plain server-rendered form with an anti-forgery token.</summary>
public static class LoginEndpoints
{
    /// <summary>Maps <c>GET/POST /login</c> and <c>POST /logout</c>.</summary>
    public static void MapLogin(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/login", (HttpContext http, IAntiforgery antiforgery, string? returnUrl) =>
            Results.Content(Page(antiforgery.GetAndStoreTokens(http), returnUrl, null), "text/html; charset=utf-8"));

        app.MapPost("/login", async (HttpContext http, IAntiforgery antiforgery, IOptionsMonitor<CrmDashboardOptions> options) =>
        {
            var form = await http.Request.ReadFormAsync().ConfigureAwait(false);
            var name = form["username"].ToString();
            var password = form["password"].ToString();
            var returnUrl = form["returnUrl"].ToString();
            var user = options.CurrentValue.Users.FirstOrDefault(u => string.Equals(u.Name, name, StringComparison.Ordinal));
            // Verify against a dummy hash for unknown users too, so timing does not reveal names.
            var ok = PasswordHash.Verify(password, user?.PasswordHash ?? DummyHash) && user is not null;
            if (!ok)
            {
                http.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return Results.Content(Page(antiforgery.GetAndStoreTokens(http), returnUrl, "Wrong user name or password."), "text/html; charset=utf-8", null, 401);
            }

            var identity = new ClaimsIdentity(
                [new Claim(ClaimTypes.Name, user!.Name), new Claim(ClaimTypes.Role, user.Role)],
                CookieAuthenticationDefaults.AuthenticationScheme);
            await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity)).ConfigureAwait(false);
            return Results.Redirect(IsLocal(returnUrl) ? returnUrl : "/hangfire");
        });

        app.MapPost("/logout", async (HttpContext http) =>
        {
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme).ConfigureAwait(false);
            return Results.Redirect("/login");
        });
    }

    private static readonly string DummyHash = PasswordHash.Create(Guid.NewGuid().ToString());

    private static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url) && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal);

    private static string Page(AntiforgeryTokenSet tokens, string? returnUrl, string? error) => $$"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Crm — sign in</title>
        <style>
          body { font-family: system-ui, sans-serif; background: #f4f6f8; margin: 0; }
          form { max-width: 320px; margin: 12vh auto; background: #fff; padding: 28px; border-radius: 8px; box-shadow: 0 1px 4px rgba(0,0,0,.12); }
          h1 { font-size: 20px; margin: 0 0 16px; } label { display: block; margin: 12px 0 4px; font-size: 14px; }
          input[type=text], input[type=password] { width: 100%; box-sizing: border-box; padding: 8px; font-size: 15px; }
          button { margin-top: 18px; width: 100%; padding: 10px; font-size: 15px; background: #1d5fa8; color: #fff; border: 0; border-radius: 4px; }
          .error { color: #b00020; font-size: 14px; }
        </style></head>
        <body><form method="post" action="/login">
          <h1>Crm dashboard</h1>
          {{(error is null ? "" : $"<p class=\"error\" role=\"alert\">{WebUtility.HtmlEncode(error)}</p>")}}
          <input type="hidden" name="{{tokens.FormFieldName}}" value="{{WebUtility.HtmlEncode(tokens.RequestToken)}}">
          <input type="hidden" name="returnUrl" value="{{WebUtility.HtmlEncode(returnUrl ?? "/hangfire")}}">
          <label for="username">User</label><input id="username" name="username" type="text" autocomplete="username" required>
          <label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
          <button type="submit">Sign in</button>
        </form></body></html>
        """;
}

using System.Globalization;
using System.Security.Claims;
using Crm.Dashboard.Security;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace Crm.Dashboard.Auth;

/// <summary>
/// The login and logout pages: plain server-rendered forms, each post checked against its anti-forgery
/// token, sign-ins throttled per user name and client address, <c>returnUrl</c> kept only when it is a
/// path on this site.
/// </summary>
public static class LoginEndpoints
{
    private const string StartPage = "/hangfire";
    private const int MaxUserNameLength = 128;
    private static readonly string DummyHash = PasswordHash.Create(Guid.NewGuid().ToString());

    /// <summary>Maps <c>GET/POST /login</c> and <c>GET/POST /logout</c>.</summary>
    public static void MapLogin(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/login", (HttpContext http, IAntiforgery antiforgery, string? returnUrl) =>
            LoginPages.Login(http, antiforgery, ReturnUrl.LocalOrNull(returnUrl) ?? StartPage, null, StatusCodes.Status200OK));
        app.MapPost("/login", SignInAsync);
        app.MapGet("/logout", (HttpContext http, IAntiforgery antiforgery) =>
            http.User.Identity?.IsAuthenticated == true ? LoginPages.Logout(http, antiforgery) : Results.Redirect("/login"));
        app.MapPost("/logout", SignOutAsync);
    }

    private static async Task<IResult> SignInAsync(
        HttpContext http, IAntiforgery antiforgery, LoginThrottle throttle, TimeProvider clock,
        IOptionsMonitor<CrmDashboardOptions> users, IOptionsMonitor<DashboardSecurityOptions> security, ILogger<LoginThrottle> logger)
    {
        var (form, problem) = await ReadFormAsync(http).ConfigureAwait(false);
        if (form is null)
        {
            return Results.Text($"POST /login takes the login page's form: {problem} Open /login and sign in there.\n", "text/plain; charset=utf-8", statusCode: StatusCodes.Status400BadRequest);
        }

        var returnUrl = ReturnUrl.LocalOrNull(form["returnUrl"].ToString()) ?? StartPage;
        var client = SecurityLog.ClientAddress(http);
        if (!await antiforgery.IsRequestValidAsync(http).ConfigureAwait(false))
        {
            SecurityLog.AntiforgeryRefused(logger, "/login", client);
            return LoginPages.Login(http, antiforgery, returnUrl, "This form has expired or was sent from another site. Sign in again here.", StatusCodes.Status400BadRequest);
        }

        var name = form["username"].ToString();
        name = name.Length > MaxUserNameLength ? name[..MaxUserNameLength] : name;
        var printable = SecurityLog.Printable(name);
        var refused = throttle.Check(name, client);
        if (refused.LockedOut)
        {
            SecurityLog.RefusedLockedOut(logger, printable, client);
            return LoginPages.TooMany(http, antiforgery, returnUrl, refused.RetryAfter);
        }

        var user = users.CurrentValue.Users.FirstOrDefault(u => string.Equals(u.Name, name, StringComparison.Ordinal));
        // Verify against a dummy hash for unknown users too, so timing does not reveal names.
        var ok = PasswordHash.Verify(form["password"].ToString(), user?.PasswordHash ?? DummyHash) && user is not null;
        if (!ok)
        {
            var verdict = throttle.RecordFailure(name, client);
            if (verdict.LockedOut)
            {
                SecurityLog.LockedOut(logger, printable, client, verdict.Failures, security.CurrentValue.LoginThrottle.LockoutMinutes);
                return LoginPages.TooMany(http, antiforgery, returnUrl, verdict.RetryAfter);
            }

            SecurityLog.SignInFailed(logger, printable, client, verdict.Failures);
            if (verdict.Delay > TimeSpan.Zero)
            {
                await Task.Delay(verdict.Delay, clock, http.RequestAborted).ConfigureAwait(false);
            }

            return LoginPages.Login(http, antiforgery, returnUrl, "Wrong user name or password.", StatusCodes.Status401Unauthorized);
        }

        throttle.RecordSuccess(name);
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, user!.Name), new Claim(ClaimTypes.Role, user.Role)],
            CookieAuthenticationDefaults.AuthenticationScheme);
        await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity)).ConfigureAwait(false);
        SecurityLog.SignedIn(logger, printable, client);
        return Results.Redirect(returnUrl);
    }

    private static async Task<IResult> SignOutAsync(HttpContext http, IAntiforgery antiforgery, ILogger<LoginThrottle> logger)
    {
        if ((await ReadFormAsync(http).ConfigureAwait(false)).Form is null || !await antiforgery.IsRequestValidAsync(http).ConfigureAwait(false))
        {
            SecurityLog.AntiforgeryRefused(logger, "/logout", SecurityLog.ClientAddress(http));
            return Results.Text("Sign out from the dashboard's own page: open /logout and press Sign out.\n", "text/plain; charset=utf-8", statusCode: StatusCodes.Status400BadRequest);
        }

        await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme).ConfigureAwait(false);
        return Results.Redirect("/login");
    }

    /// <summary>The posted form, or null and why when the request carries none or a malformed one (a 400, not a 500).</summary>
    private static async Task<(IFormCollection? Form, string Problem)> ReadFormAsync(HttpContext http)
    {
        if (!http.Request.HasFormContentType)
        {
            return (null, $"the request's Content-Type is '{SecurityLog.Printable(http.Request.ContentType ?? "")}', not a form.");
        }

        try
        {
            return (await http.Request.ReadFormAsync(http.RequestAborted).ConfigureAwait(false), "");
        }
        catch (Exception e) when (e is InvalidDataException or InvalidOperationException or BadHttpRequestException)
        {
            // A broken multipart body, a missing boundary or a NUL in a field is the client's mistake.
            return (null, "it could not be read (" + e.Message.TrimEnd('.') + ").");
        }
    }

    /// <summary>Seconds for a <c>Retry-After</c> header, rounded up.</summary>
    internal static string RetryAfterSeconds(TimeSpan retryAfter) =>
        Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
}

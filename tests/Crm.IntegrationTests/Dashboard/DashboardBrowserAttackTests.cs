using System.Net;
using Crm.Dashboard;
using Crm.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;

namespace Crm.IntegrationTests.Dashboard;

/// <summary>
/// Attacks on the dashboard in headless Chromium (#16): a page on another loopback port auto-submits
/// the login or logout form; login links whose <c>returnUrl</c> leaves the site; the pages under their
/// Content-Security-Policy without a single violation.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class DashboardBrowserAttackTests(PostgresCluster cluster) : IAsyncLifetime
{
    private DashboardHost? _host;
    private WebApplication? _evil;
    private string _baseUrl = "";
    private string _evilUrl = "";

    public async Task InitializeAsync()
    {
        _host = await DashboardHost.StartAsync(cluster, "attack", DashboardHardeningTests.LockEarly);
        _baseUrl = _host.BaseUrl;

        // The attacker's site: same machine, another port, so another origin.
        _evilUrl = $"http://127.0.0.1:{FreePort.Next()}";
        var evil = WebApplication.CreateSlimBuilder();
        evil.WebHost.UseUrls(_evilUrl);
        evil.Logging.SetMinimumLevel(LogLevel.Warning);
        _evil = evil.Build();
        _evil.MapGet("/login-csrf", () => Results.Content(AutoSubmit("/login", ("username", "ada"), ("password", "admin-pass"), ("returnUrl", "/hangfire")), "text/html"));
        _evil.MapGet("/logout-csrf", () => Results.Content(AutoSubmit("/logout"), "text/html"));
        _evil.MapFallback(() => Results.Content("<h1>pwned</h1>", "text/html"));
        await _evil.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        if (_evil is not null)
        {
            await _evil.StopAsync();
            await _evil.DisposeAsync();
        }
    }

    [Fact]
    public async Task ACrossOriginAutoSubmittedLoginForm_SignsNobodyIn()
    {
        await using (var browser = await Browser.OpenAsync())
        {
            var page = await browser.NewPageAsync();
            var posted = page.WaitForResponseAsync(r => r.Url == _baseUrl + "/login" && r.Request.Method == "POST");
            await page.GotoAsync(_evilUrl + "/login-csrf");
            var response = await posted;
            await page.WaitForLoadStateAsync(LoadState.Load);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Browser.ArtifactsDirectory, "dashboard-login-csrf-refused.png") });

            await page.GotoAsync(_baseUrl + "/hangfire");

            Assert.Equal(400, response.Status);
            Assert.StartsWith(_baseUrl + "/login", page.Url, StringComparison.Ordinal);
            Assert.DoesNotContain(await page.Context.CookiesAsync([_baseUrl]), c => c.Name == "crm.auth");
        }
    }

    [Fact]
    public async Task ACrossOriginAutoSubmittedLogoutForm_KeepsTheSession()
    {
        await using (var browser = await Browser.OpenAsync())
        {
            var page = await browser.NewPageAsync();
            await SignInAsync(page, _baseUrl + "/login");
            var posted = page.WaitForResponseAsync(r => r.Url == _baseUrl + "/logout" && r.Request.Method == "POST");
            await page.GotoAsync(_evilUrl + "/logout-csrf");
            var response = await posted;

            var dashboard = await page.GotoAsync(_baseUrl + "/hangfire");

            Assert.Equal(400, response.Status);
            Assert.Equal(200, dashboard!.Status);
            Assert.Equal(_baseUrl + "/hangfire", page.Url);
        }
    }

    [Fact]
    public async Task LoginLinks_WithAReturnUrlOffTheSite_LandOnTheDashboard()
    {
        var evilHost = new Uri(_evilUrl).Authority;
        var escaped = new List<string>();
        await using (var browser = await Browser.OpenAsync())
        {
            var page = await browser.NewPageAsync();
            foreach (var (payload, index) in RedirectPayloads.Hostile.Select((p, i) => (p.Replace("{evil}", evilHost, StringComparison.Ordinal), i)))
            {
                // As an attacker's link delivers it, and (for the first few) posted as-is past the page's own field.
                await SignInAsync(page, _baseUrl + "/login?returnUrl=" + Uri.EscapeDataString(payload));
                if (!page.Url.StartsWith(_baseUrl + "/", StringComparison.Ordinal))
                {
                    escaped.Add("link " + Uri.EscapeDataString(payload) + " -> " + page.Url);
                }

                if (index < 8)
                {
                    await SignInAsync(page, _baseUrl + "/login", payload);
                    if (!page.Url.StartsWith(_baseUrl + "/", StringComparison.Ordinal))
                    {
                        escaped.Add("post " + Uri.EscapeDataString(payload) + " -> " + page.Url);
                    }
                }
            }
        }

        Assert.Empty(escaped);
    }

    [Fact]
    public async Task LoginAndDashboardPages_RunUnderTheirPolicy_WithoutViolations()
    {
        await using (var browser = await Browser.OpenAsync())
        {
            var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
            var violations = new List<string>();
            page.Console += (_, message) =>
            {
                if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
                {
                    lock (violations)
                    {
                        violations.Add(page.Url + ": " + message.Text);
                    }
                }
            };
            await SignInAsync(page, _baseUrl + "/login");
            foreach (var path in new[] { "/hangfire", "/hangfire/jobs/enqueued", "/hangfire/recurring", "/hangfire/servers", "/hangfire/runs", "/hangfire/identity?q=lee", "/hangfire/pipeline", "/logout" })
            {
                var response = await page.GotoAsync(_baseUrl + path);
                Assert.Equal(200, response!.Status);
                await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            }

            // The progress page reloads itself with a small inline script the policy allows by its hash.
            var reloaded = page.WaitForRequestAsync(_baseUrl + "/hangfire/progress", new PageWaitForRequestOptions { Timeout = 30_000 });
            await page.GotoAsync(_baseUrl + "/hangfire/progress");
            await reloaded;
            var again = page.WaitForRequestAsync(_baseUrl + "/hangfire/progress", new PageWaitForRequestOptions { Timeout = 30_000 });
            await again;
            await page.GotoAsync(_baseUrl + "/login");
            lock (violations)
            {
                Assert.Empty(violations);
            }
        }
    }

    /// <summary>Opens <paramref name="loginUrl"/>, optionally overwrites the form's returnUrl, signs in as ada and waits for where it leads.</summary>
    private static async Task SignInAsync(IPage page, string loginUrl, string? returnUrl = null)
    {
        await page.GotoAsync(loginUrl);
        if (returnUrl is not null)
        {
            await page.EvalOnSelectorAsync("input[name=returnUrl]", "(e, v) => { e.value = v; }", returnUrl);
        }

        await page.FillAsync("#username", "ada");
        await page.FillAsync("#password", "admin-pass");
        var loginPath = new Uri(page.Url).GetLeftPart(UriPartial.Path);
        await page.ClickAsync("button[type=submit]");
        // Wherever the sign-in leads (the dashboard, or another origin if the redirect escaped), it is not the login page.
        await page.WaitForURLAsync(url => !url.StartsWith(loginPath, StringComparison.Ordinal), new PageWaitForURLOptions { Timeout = 15_000 });
        await page.WaitForLoadStateAsync(LoadState.Load);
    }

    private string AutoSubmit(string action, params (string Name, string Value)[] fields) =>
        $"<!doctype html><html><body><form id=\"f\" method=\"post\" action=\"{_baseUrl}{action}\">"
        + string.Concat(fields.Select(f => $"<input type=\"hidden\" name=\"{f.Name}\" value=\"{WebUtility.HtmlEncode(f.Value)}\">"))
        + "</form><script>document.getElementById('f').submit();</script></body></html>";
}

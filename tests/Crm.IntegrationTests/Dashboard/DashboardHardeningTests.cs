using System.Net;
using Crm.Dashboard;
using Crm.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Crm.IntegrationTests.Dashboard;

/// <summary>
/// The dashboard against hostile requests over real Kestrel (#16): login CSRF, open redirects, brute force,
/// cookies and headers behind a TLS proxy, LIKE wildcards, malformed requests, who may read /metrics.
/// Each test speaks for a different client address (X-Forwarded-For from the loopback proxy), so one
/// test's lockout never touches another's.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class DashboardHardeningTests(PostgresCluster cluster) : IAsyncLifetime
{
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
    private readonly CapturedLogs _logs = new();
    private DashboardHost _host = null!;

    public async Task InitializeAsync() => _host = await DashboardHost.StartAsync(cluster, "harden", LockEarly, configure: b =>
    {
        b.Services.AddSingleton<TimeProvider>(_clock);
        b.Logging.AddProvider(_logs);
    });

    public Task DisposeAsync() => _host.DisposeAsync().AsTask();

    /// <summary>Sets a login throttle that locks early on the dashboard's <paramref name="settings"/>.</summary>
    internal static void LockEarly(Dictionary<string, string?> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        // No waiting in tests (the delay schedule is asserted on its own); lock early.
        settings["Crm:Dashboard:LoginThrottle:FreeAttempts"] = "1";
        settings["Crm:Dashboard:LoginThrottle:DelaySeconds"] = "0";
        settings["Crm:Dashboard:LoginThrottle:UserLockoutFailures"] = "3";
        settings["Crm:Dashboard:LoginThrottle:AddressLockoutFailures"] = "5";
        settings["Crm:Dashboard:LoginThrottle:LockoutMinutes"] = "10";
        settings["Logging:LogLevel:Crm.Dashboard.Security"] = "Information";
    }

    [Fact]
    public async Task Login_WithoutTheFormToken_IsRefusedWith400_AndSignsNobodyIn()
    {
        using var client = DashboardClient.Create(_host.BaseUrl, out var cookies);

        var response = await DashboardClient.LoginAsync(client, "ada", "admin-pass", withToken: false, clientAddress: "10.16.0.1");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain(cookies.GetAllCookies(), c => c.Name == "crm.auth");
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/hangfire")).StatusCode);
        // The refusal page is a fresh form: signing in from it works.
        Assert.Equal(HttpStatusCode.Redirect, (await DashboardClient.LoginAsync(client, "ada", "admin-pass", clientAddress: "10.16.0.1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/hangfire")).StatusCode);
    }

    [Fact]
    public async Task Logout_NeedsTheFormToken()
    {
        using var client = DashboardClient.Create(_host.BaseUrl, out _);
        await DashboardClient.LoginAsync(client, "ada", "admin-pass", clientAddress: "10.16.0.2");

        var forged = await client.PostAsync("/logout", new FormUrlEncodedContent([]));
        var stillIn = await client.GetAsync("/hangfire");
        var logoutPage = await client.GetStringAsync("/logout");
        var real = await client.PostAsync("/logout", new FormUrlEncodedContent([new("__RequestVerificationToken", DashboardClient.FormToken(logoutPage))]));
        var afterwards = await client.GetAsync("/hangfire");

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(HttpStatusCode.OK, stillIn.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, real.StatusCode);
        Assert.Equal("/login", real.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, afterwards.StatusCode);
    }

    [Fact]
    public async Task ReturnUrl_LeavingTheSite_GoesToTheStartPage_AndPathsOnTheSiteAreKept()
    {
        Assert.True(RedirectPayloads.Hostile.Length >= 20);
        var wrong = new List<string>();
        foreach (var payload in RedirectPayloads.Hostile.Select(p => p.Replace("{evil}", "127.0.0.1:5999", StringComparison.Ordinal))
                     .Concat(RedirectPayloads.Safe))
        {
            using var client = DashboardClient.Create(_host.BaseUrl, out _);
            var response = await DashboardClient.LoginAsync(client, "ada", "admin-pass", payload, clientAddress: "10.16.0.3");
            var expected = RedirectPayloads.Safe.Contains(payload) ? payload : "/hangfire";
            var location = response.Headers.Location?.OriginalString;
            // A form field the framework cannot read (a NUL) is refused outright: no redirect at all.
            var refused = response.StatusCode == HttpStatusCode.BadRequest && location is null && !RedirectPayloads.Safe.Contains(payload);
            if (!refused && (response.StatusCode != HttpStatusCode.Redirect || location != expected))
            {
                wrong.Add($"{Uri.EscapeDataString(payload)} -> {(int)response.StatusCode} {location}");
            }
        }

        Assert.Empty(wrong);
    }

    [Fact]
    public async Task ReturnUrl_WithNonAsciiCharacters_RedirectsToTheEncodedPath_NotA500()
    {
        using var client = DashboardClient.Create(_host.BaseUrl, out var cookies);

        var response = await DashboardClient.LoginAsync(client, "ada", "admin-pass", "/hangfire/identity?q=Müller", clientAddress: "10.16.0.13");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/hangfire/identity?q=M%C3%BCller", response.Headers.Location?.OriginalString);
        Assert.Contains(cookies.GetAllCookies(), c => c.Name == "crm.auth");
    }

    [Fact]
    public async Task WrongPasswords_LockTheUserOutWith429_EvenForTheRightPassword_UntilTheLockoutEnds()
    {
        using var client = DashboardClient.Create(_host.BaseUrl, out _);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            statuses.Add((await DashboardClient.LoginAsync(client, "vic", "guess-" + i, clientAddress: "10.16.0.4")).StatusCode);
        }

        // Settings: the third failure for a user locks it. From another address too: the lock is on the name.
        var locked = await DashboardClient.LoginAsync(client, "vic", "viewer-pass", clientAddress: "10.16.0.5");
        var otherUser = await DashboardClient.LoginAsync(client, "ada", "admin-pass", clientAddress: "10.16.0.6");
        _clock.Advance(TimeSpan.FromMinutes(11));
        var afterLockout = await DashboardClient.LoginAsync(client, "vic", "viewer-pass", clientAddress: "10.16.0.5");

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        Assert.True(locked.Headers.RetryAfter?.Delta > TimeSpan.Zero, "429 without Retry-After");
        Assert.Contains("Too many failed sign-ins", await locked.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, otherUser.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, afterLockout.StatusCode);
        // One warning names the locked user and address; no line holds a password, wrong or right.
        var lines = _logs.Lines.Where(l => l.Contains("10.16.0.4", StringComparison.Ordinal) || l.Contains("10.16.0.5", StringComparison.Ordinal)).ToList();
        Assert.Single(lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("locked out", StringComparison.Ordinal) && l.Contains("user vic, client 10.16.0.4", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("guess-", StringComparison.Ordinal) || l.Contains("viewer-pass", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("Refused sign-in during a lockout: user vic, client 10.16.0.5", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WrongPasswords_ForManyNames_LockTheClientAddressOut()
    {
        using var client = DashboardClient.Create(_host.BaseUrl, out _);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            statuses.Add((await DashboardClient.LoginAsync(client, "user" + i, "guess", clientAddress: "10.16.0.7")).StatusCode);
        }

        var rightPasswordSameAddress = await DashboardClient.LoginAsync(client, "ada", "admin-pass", clientAddress: "10.16.0.7");
        var rightPasswordOtherAddress = await DashboardClient.LoginAsync(client, "ada", "admin-pass", clientAddress: "10.16.0.8");

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.Unauthorized, 4).Append(HttpStatusCode.TooManyRequests), statuses);
        Assert.Equal(HttpStatusCode.TooManyRequests, rightPasswordSameAddress.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, rightPasswordOtherAddress.StatusCode);
    }

    [Fact]
    public async Task BehindALoopbackTlsProxy_EveryCookieIsSecure_AndHstsIsSent()
    {
        using var client = DashboardClient.CreateRaw(_host.BaseUrl);

        using var get = new HttpRequestMessage(HttpMethod.Get, "/login");
        get.Headers.Add("X-Forwarded-Proto", "https");
        get.Headers.Add("X-Forwarded-For", "10.16.0.9");
        var page = await client.SendAsync(get);
        var antiforgeryCookie = page.Headers.GetValues("Set-Cookie").Single();
        using var post = new HttpRequestMessage(HttpMethod.Post, "/login")
        {
            Content = new FormUrlEncodedContent(
            [
                new("__RequestVerificationToken", DashboardClient.FormToken(await page.Content.ReadAsStringAsync())),
                new("username", "ada"), new("password", "admin-pass"), new("returnUrl", "/hangfire"),
            ]),
        };
        post.Headers.Add("X-Forwarded-Proto", "https");
        post.Headers.Add("X-Forwarded-For", "10.16.0.9");
        post.Headers.Add("Cookie", antiforgeryCookie.Split(';')[0]);
        var signedIn = await client.SendAsync(post);
        var authCookie = signedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("crm.auth=", StringComparison.Ordinal));

        var plain = await client.GetAsync("/login");

        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Contains("; secure", antiforgeryCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("; secure", authCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", authCookie, StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith("max-age=", page.Headers.GetValues("Strict-Transport-Security").Single(), StringComparison.Ordinal);
        // Plain HTTP straight to the dashboard: no Secure (the browser would drop the cookie), no HSTS.
        Assert.DoesNotContain("; secure", plain.Headers.GetValues("Set-Cookie").Single(), StringComparison.OrdinalIgnoreCase);
        Assert.False(plain.Headers.Contains("Strict-Transport-Security"));
    }

    [Fact]
    public async Task LoginAndDashboardPages_CarryTheSecurityHeaders()
    {
        using var client = DashboardClient.Create(_host.BaseUrl, out _);
        var login = await client.GetAsync("/login");
        await DashboardClient.LoginAsync(client, "ada", "admin-pass", clientAddress: "10.16.0.10");

        var missing = new List<string>();
        foreach (var response in new[] { login, await client.GetAsync("/logout"), await client.GetAsync("/hangfire"), await client.GetAsync("/hangfire/identity"), await client.GetAsync("/hangfire/jobs/enqueued"), await client.GetAsync("/hangfire/progress") })
        {
            var path = response.RequestMessage!.RequestUri!.AbsolutePath;
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var csp = response.Headers.TryGetValues("Content-Security-Policy", out var v) ? string.Join(",", v) : "";
            if (!csp.Contains("frame-ancestors 'none'", StringComparison.Ordinal) || !csp.Contains("default-src", StringComparison.Ordinal))
            {
                missing.Add(path + " CSP: " + csp);
            }

            if (!response.Headers.TryGetValues("X-Content-Type-Options", out var nosniff) || nosniff.Single() != "nosniff")
            {
                missing.Add(path + " nosniff");
            }

            if (!response.Headers.Contains("Referrer-Policy"))
            {
                missing.Add(path + " Referrer-Policy");
            }
        }

        Assert.Empty(missing);
    }

    [Fact]
    public async Task IdentitySearch_TreatsPercentAndUnderscoreAsText()
    {
        await using var dataSource = NpgsqlDataSource.Create(_host.ConnectionString);
        await dataSource.ExecuteAsync("""
            insert into core.customer (customer_id, email, customer_name) values
              (9001, 'ann.lee@example.org', 'Ann Lee'), (9002, 'a_b@example.org', 'Bo Lee'), (9003, 'axb@example.org', 'Cy Lee'), (9004, 'ten%off@example.org', 'Di Lee');
            insert into core.customer_identity (source, source_customer_id, customer_id) values
              ('orders:shop', 'c-9001', 9001), ('orders:shop', 'c-9002', 9002), ('orders:shop', 'c-9003', 9003), ('orders:shop', 'c-9004', 9004);
            """);
        using var client = DashboardClient.Create(_host.BaseUrl, out _);
        await DashboardClient.LoginAsync(client, "ada", "admin-pass", clientAddress: "10.16.0.11");

        var percent = await SearchAsync(client, "%");
        var underscore = await SearchAsync(client, "_");
        var aUnderscoreB = await SearchAsync(client, "a_b");
        var lee = await SearchAsync(client, "lee");

        Assert.Equal(["ten%off@example.org"], percent);
        Assert.Equal(["a_b@example.org"], underscore);
        Assert.Equal(["a_b@example.org"], aUnderscoreB);
        Assert.Equal(["a_b@example.org", "ann.lee@example.org", "axb@example.org", "ten%off@example.org"], lee);
    }

    [Fact]
    public async Task QualityPage_CountsIdentityCleaningReasons_AsOneKind_WhateverValueTheyName()
    {
        await using var dataSource = NpgsqlDataSource.Create(_host.ConnectionString);
        await dataSource.ExecuteAsync("""
            insert into quarantine.record (source, reason, raw_text) values
              ('identity', 'identity cleaning: postcode: not a UK postcode (AK1 2BJ)', 'a'),
              ('identity', 'identity cleaning: postcode: not a UK postcode (ZZ 9)', 'b'),
              ('identity', 'identity cleaning: phone: not a possible number ((03) 555-01)', 'c'),
              ('orders', 'wrong column count: expected 5, got 4', 'd'),
              ('orders', 'wrong column count: expected 5, got 7', 'e');
            """);
        using var client = DashboardClient.Create(_host.BaseUrl, out _);
        await DashboardClient.LoginAsync(client, "ada", "admin-pass", clientAddress: "10.16.0.12");

        var html = await client.GetStringAsync("/hangfire/quality");
        var table = html[html.IndexOf("id=\"crm-quarantine\"", StringComparison.Ordinal)..];
        table = table[..table.IndexOf("</table>", StringComparison.Ordinal)];
        var rows = System.Text.RegularExpressions.Regex.Matches(table, "<tr><td[^>]*>([^<]*)</td><td[^>]*>([^<]*)</td><td[^>]*>(\\d+)</td>")
            .Select(m => $"{m.Groups[1].Value}|{System.Net.WebUtility.HtmlDecode(m.Groups[2].Value)}|{m.Groups[3].Value}").Order(StringComparer.Ordinal).ToList();
        // Identity's kinds lose the value in parentheses; the order feed's keep the kind re-processing matches.
        Assert.Equal(
            ["identity|identity cleaning: phone: not a possible number (…)|1", "identity|identity cleaning: postcode: not a UK postcode (…)|2", "orders|wrong column count: expected …, got …|2"],
            rows);
    }

    [Fact]
    public async Task IdentitySearch_ShowsAMatchWeightWaterfallForEachMerge()
    {
        // Issue 24: the prior (weight 10 − fields 12 = −2), then each field's bar, then the total.
        await using var dataSource = NpgsqlDataSource.Create(_host.ConnectionString);
        await dataSource.ExecuteAsync("""
            insert into core.customer (customer_id, email, customer_name) values (9101, 'wanda.waterfall@example.org', 'Wanda Waterfall');
            insert into core.customer_identity (source, source_customer_id, customer_id) values ('orders:shop', 'w-1', 9101), ('email', 'wanda.waterfall@example.org', 9101);
            insert into identity.merge_evidence (customer_id, left_source, left_id, right_source, right_id, rule, probability, match_weight, fields) values
              (9101, 'email', 'wanda.waterfall@example.org', 'orders:shop', 'w-1', 'probabilistic', 0.999, 10,
               '[{"field":"given","level":3,"agreement":"exact","agrees":true,"weight":7,"left":"wanda","right":"wanda"},
                 {"field":"date_of_birth","level":0,"agreement":"different","agrees":false,"weight":-3,"left":"1980-01-02","right":"1981-02-03"},
                 {"field":"postcode","level":2,"agreement":"exact","agrees":true,"weight":8,"left":"2000","right":"2000"}]');
            """);
        using var client = DashboardClient.Create(_host.BaseUrl, out _);
        await DashboardClient.LoginAsync(client, "ada", "admin-pass", clientAddress: "10.16.0.13");

        var html = await client.GetStringAsync("/hangfire/identity?q=waterfall");

        var svg = html[html.IndexOf("<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"crm-waterfall-0\"", StringComparison.Ordinal)..];
        svg = svg[..(svg.IndexOf("</svg>", StringComparison.Ordinal) + 6)];
        var bars = System.Text.RegularExpressions.Regex.Matches(svg, "data-field=\"([^\"]+)\" data-weight=\"([^\"]+)\"").Select(m => m.Groups[1].Value + " " + m.Groups[2].Value);
        Assert.Equal(["prior -2.00", "given 7.00", "date_of_birth -3.00", "postcode 8.00", "match weight 10.00"], bars);
    }

    [Fact]
    public async Task MalformedRequests_Get4xx_NeverA500()
    {
        using var client = DashboardClient.Create(_host.BaseUrl, out _);
        await DashboardClient.LoginAsync(client, "ada", "admin-pass", clientAddress: "10.16.0.12");
        var page = await client.GetStringAsync("/login");

        var nul = await client.GetAsync("/hangfire/identity?q=a%00b");
        var stats = await client.GetAsync("/hangfire/stats");
        var crlf = await client.PostAsync("/login", new FormUrlEncodedContent(
        [
            new("__RequestVerificationToken", DashboardClient.FormToken(page)), new("username", "ada"), new("password", "admin-pass"), new("returnUrl", "/a\r\nX-Evil: 1"),
        ]));
        var json = await client.PostAsync("/login", new StringContent("{\"username\":\"ada\"}", System.Text.Encoding.UTF8, "application/json"));
        var badMultipart = await client.PostAsync("/login", new StringContent("--x\r\nnot a part", System.Text.Encoding.UTF8, "multipart/form-data"));
        var nulLogin = await client.GetAsync("/login?returnUrl=%00");
        var badQuery = await client.GetAsync("/hangfire/jobs/enqueued?from=%zz&count=-5");
        var textJobId = await client.GetAsync("/hangfire/jobs/details/abc");
        var hugeJobId = await client.GetAsync("/hangfire/jobs/details/99999999999999999999");
        var csrf = System.Text.RegularExpressions.Regex.Match(await client.GetStringAsync("/hangfire/jobs/enqueued"), "csrf-token\" content=\"([^\"]+)\"").Groups[1].Value;
        using var requeue = new HttpRequestMessage(HttpMethod.Post, "/hangfire/jobs/actions/requeue/abc");
        requeue.Headers.Add("RequestVerificationToken", csrf);
        var textRequeue = await client.SendAsync(requeue);
        using var delete = new HttpRequestMessage(HttpMethod.Post, "/hangfire/jobs/enqueued/delete") { Content = new FormUrlEncodedContent([new("jobs[]", "abc")]) };
        delete.Headers.Add("RequestVerificationToken", csrf);
        var textDelete = await client.SendAsync(delete);

        Assert.Equal(HttpStatusCode.BadRequest, nul.StatusCode);
        Assert.Contains("control character", await nul.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True(stats.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.MethodNotAllowed, "GET /hangfire/stats: " + stats.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, crlf.StatusCode);
        Assert.Equal("/hangfire", crlf.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.BadRequest, json.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badMultipart.StatusCode);
        Assert.True(nulLogin.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.OK, "GET /login?returnUrl=%00: " + nulLogin.StatusCode);
        Assert.True((int)badQuery.StatusCode < 500, "bad query: " + badQuery.StatusCode);
        Assert.NotEmpty(csrf);
        Assert.Equal(HttpStatusCode.NotFound, textJobId.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, hugeJobId.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, textRequeue.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, textDelete.StatusCode);
        Assert.Contains("job ids are numbers", await textDelete.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_FromAClientBehindTheProxy_NeedLoginOrToken()
    {
        using var direct = DashboardClient.Create(_host.BaseUrl, out _);
        using var proxied = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        proxied.Headers.Add("X-Forwarded-For", "203.0.113.7");

        var anonymousLocal = await direct.GetAsync("/metrics");
        var anonymousRemote = await direct.SendAsync(proxied);
        await DashboardClient.LoginAsync(direct, "vic", "viewer-pass", clientAddress: "203.0.113.8");
        using var signedIn = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        signedIn.Headers.Add("X-Forwarded-For", "203.0.113.8");
        var signedInRemote = await direct.SendAsync(signedIn);

        // This dashboard listens on loopback only: a scraper on the machine needs nothing.
        Assert.Equal(HttpStatusCode.OK, anonymousLocal.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymousRemote.StatusCode);
        Assert.Equal(HttpStatusCode.OK, signedInRemote.StatusCode);
        Assert.Contains("crm_hangfire_jobs", await signedInRemote.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AProxyThatIsNotKnown_IsNotBelieved_AndABearerTokenOpensMetrics()
    {
        var settings = DashboardHost.Settings(_host.ConnectionString);
        LockEarly(settings);
        settings["Crm:Dashboard:KnownProxies:0"] = "192.0.2.1";
        settings["Crm:Dashboard:Metrics:Anonymous"] = "never";
        settings["Crm:Dashboard:Metrics:BearerToken"] = "scrape-token-0123456789";
        await using var host = await DashboardHost.StartAsync(_host.ConnectionString, settings);
        using var client = DashboardClient.CreateRaw(host.BaseUrl);

        using var get = new HttpRequestMessage(HttpMethod.Get, "/login");
        get.Headers.Add("X-Forwarded-Proto", "https");
        var page = await client.SendAsync(get);
        var anonymous = await client.GetAsync("/metrics");
        using var wrong = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        wrong.Headers.Authorization = new("Bearer", "scrape-token-0123456780");
        var wrongToken = await client.SendAsync(wrong);
        using var right = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        right.Headers.Authorization = new("Bearer", "scrape-token-0123456789");
        var rightToken = await client.SendAsync(right);

        // The loopback client is not in KnownProxies here: its X-Forwarded-Proto is ignored.
        Assert.DoesNotContain("; secure", page.Headers.GetValues("Set-Cookie").Single(), StringComparison.OrdinalIgnoreCase);
        Assert.False(page.Headers.Contains("Strict-Transport-Security"));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongToken.StatusCode);
        Assert.Equal(HttpStatusCode.OK, rightToken.StatusCode);
        Assert.Contains("crm_hangfire_jobs", await rightToken.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static async Task<List<string>> SearchAsync(HttpClient client, string q)
    {
        var html = await client.GetStringAsync("/hangfire/identity?q=" + Uri.EscapeDataString(q));
        var table = html[html.IndexOf("id=\"crm-identity-search\"", StringComparison.Ordinal)..];
        // Addresses may break after their punctuation (<wbr>): read them as the user sees them.
        table = table[..table.IndexOf("</table>", StringComparison.Ordinal)].Replace("<wbr>", "", StringComparison.Ordinal);
        return System.Text.RegularExpressions.Regex.Matches(table, @"[\w.%]+@example\.org").Select(m => m.Value).Distinct().Order(StringComparer.Ordinal).ToList();
    }
}

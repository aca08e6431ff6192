using System.Net;
using System.Text.RegularExpressions;
using Crm.Dashboard;
using Crm.IntegrationTests.Infrastructure;
using Npgsql;

namespace Crm.IntegrationTests.Dashboard;

/// <summary>The dashboard over real Kestrel on loopback: login, roles, anti-forgery.</summary>
[Collection(HostCollection.Name)]
public sealed partial class DashboardLoginTests(PostgresCluster cluster) : IAsyncLifetime
{
    private DashboardHost _host = null!;

    public async Task InitializeAsync() => _host = await DashboardHost.StartAsync(cluster, "dash");

    public Task DisposeAsync() => _host.DisposeAsync().AsTask();

    [Fact]
    public async Task Anonymous_IsSentToTheLoginPage()
    {
        using var client = NewClient(out _);

        var response = await client.GetAsync("/hangfire");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/login", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HealthAndMetrics_AnswerWithoutLogin_AndReadinessNamesWhatIsMissing()
    {
        using var client = NewClient(out _);

        var health = await client.GetAsync("/healthz");
        var ready = await client.GetAsync("/readyz");
        var readyBody = await ready.Content.ReadAsStringAsync();
        var metrics = await client.GetStringAsync("/metrics");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        // Migrated database, but no worker node runs the scheduler in this test.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("\"migrations\":\"ok\"", readyBody, StringComparison.Ordinal);
        Assert.Contains("no scheduler node", readyBody, StringComparison.Ordinal);
        Assert.Contains("crm_hangfire_jobs{state=\"enqueued\"}", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("Password", readyBody + metrics, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task WrongPassword_IsRefused()
    {
        using var client = NewClient(out _);

        var response = await LoginAsync(client, "ada", "nope");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/hangfire")).StatusCode);
    }

    [Fact]
    public async Task Admin_SeesTheDashboard_AndCanTriggerAStage()
    {
        using var client = NewClient(out _);
        Assert.Equal(HttpStatusCode.Redirect, (await LoginAsync(client, "ada", "admin-pass")).StatusCode);

        var dashboard = await client.GetAsync("/hangfire");
        var pipeline = await client.GetStringAsync("/hangfire/pipeline");
        var token = CsrfToken().Match(pipeline).Groups[1].Value;
        using var trigger = new HttpRequestMessage(HttpMethod.Post, "/hangfire/pipeline/trigger/orders");
        trigger.Headers.Add("RequestVerificationToken", token);
        var triggered = await client.SendAsync(trigger);
        var withoutToken = await client.PostAsync("/hangfire/pipeline/trigger/orders", null);

        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        Assert.Contains("trigger-orders", pipeline, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NoContent, triggered.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, withoutToken.StatusCode); // anti-forgery
        await using var dataSource = NpgsqlDataSource.Create(_host.ConnectionString);
        Assert.Equal(1L, await dataSource.ScalarAsync<long>("select count(*) from hangfire.job where arguments::text like '%orders%'"));
    }

    [Fact]
    public async Task Viewer_SeesTheDashboard_ButCannotTriggerRetryOrDelete()
    {
        using var client = NewClient(out _);
        await LoginAsync(client, "vic", "viewer-pass");

        var dashboard = await client.GetAsync("/hangfire");
        var pipeline = await client.GetStringAsync("/hangfire/pipeline");
        var token = CsrfToken().Match(pipeline).Groups[1].Value;
        using var trigger = new HttpRequestMessage(HttpMethod.Post, "/hangfire/pipeline/trigger/orders");
        trigger.Headers.Add("RequestVerificationToken", token);
        var triggered = await client.SendAsync(trigger);
        var deleted = await client.PostAsync("/hangfire/jobs/enqueued/delete", new FormUrlEncodedContent([new("jobs[]", "1")]));

        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        Assert.DoesNotContain("trigger-orders", pipeline, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, triggered.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, deleted.StatusCode);
        await using var dataSource = NpgsqlDataSource.Create(_host.ConnectionString);
        Assert.Equal(0L, await dataSource.ScalarAsync<long>("select count(*) from hangfire.job"));
    }

    private HttpClient NewClient(out CookieContainer cookies)
    {
        cookies = new CookieContainer();
#pragma warning disable CA2000 // the client owns the handler
        var handler = new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = cookies, UseCookies = true };
#pragma warning restore CA2000
        return new HttpClient(handler, disposeHandler: true) { BaseAddress = new Uri(_host.BaseUrl) };
    }

    private static async Task<HttpResponseMessage> LoginAsync(HttpClient client, string user, string password)
    {
        var form = await client.GetStringAsync("/login");
        var token = FormToken().Match(form).Groups[1].Value;
        return await client.PostAsync("/login", new FormUrlEncodedContent(
        [
            new("__RequestVerificationToken", WebUtility.HtmlDecode(token)), new("username", user), new("password", password), new("returnUrl", "/hangfire"),
        ]));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex FormToken();

    [GeneratedRegex("csrf-token\" content=\"([^\"]+)\"")]
    private static partial Regex CsrfToken();
}

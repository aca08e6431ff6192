using System.Globalization;
using Crm.IntegrationTests.Infrastructure;
using Microsoft.Playwright;
using Npgsql;

namespace Crm.IntegrationTests.Dashboard;

/// <summary>
/// Issue 19, the Schedules page in headless Chromium: every trigger with its cron, zone, calendar, misfire rule and
/// next firings; an admin pauses, resumes and fires one now and gets a link to its run; "Run now" confirms with its
/// run; a viewer sees no button and a viewer's POST is refused. The dashboard runs alone (<c>crm dashboard</c>), its
/// scheduler only touching the store; the worker node beside it fires.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class SchedulesBrowserTests(PostgresCluster cluster) : IAsyncLifetime
{
    private static readonly DateOnly Excluded = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(2);
    private DashboardHost _host = null!;

    public async Task InitializeAsync() => _host = await DashboardHost.StartAsync(cluster, "schedules", s =>
    {
        s["Crm:Schedules:0:Name"] = "nightly";
        s["Crm:Schedules:0:Job"] = "nightly";
        s["Crm:Schedules:0:Cron"] = "0 0 2 * * ?";
        s["Crm:Schedules:0:TimeZone"] = "Europe/Berlin";
        s["Crm:Schedules:0:ExcludedDates:0"] = Excluded.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        s["Crm:Schedules:1:Name"] = "orders-hourly";
        s["Crm:Schedules:1:Job"] = "orders";
        s["Crm:Schedules:1:Cron"] = "0 15 * * * ?";
        s["Crm:Schedules:1:TimeZone"] = "UTC";
        s["Crm:Schedules:1:Misfire"] = "Skip";
        s["Crm:Scheduler:CheckinSeconds"] = "2";
    }, workerNode: "schedules-worker");

    public Task DisposeAsync() => _host.DisposeAsync().AsTask();

    [Fact]
    public async Task Admin_SeesEveryTrigger_PausesResumesAndFiresOne_AndFollowsTheLinkToItsRun()
    {
        await using var ds = NpgsqlDataSource.Create(_host.ConnectionString);
        await using (var browser = await Browser.OpenAsync())
        {
            var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1024, Height = 800 } });
            await DashboardPage.SignInAsync(page, _host.BaseUrl, "ada", "admin-pass");
            await page.GotoAsync(_host.BaseUrl + "/hangfire/schedules");
            await DashboardPage.ScreenshotsAsync(page, "schedules-admin");

            var nightly = await page.InnerTextAsync("tr[data-schedule=nightly]");
            Assert.Contains("0 0 2 * * ?", nightly, StringComparison.Ordinal);
            Assert.Contains("Europe/Berlin", nightly, StringComparison.Ordinal);
            Assert.Contains("nightly-excluded (1 excluded day)", nightly, StringComparison.Ordinal);
            Assert.Contains("FireOnceNow", nightly, StringComparison.Ordinal);
            // The next three firings: 02:00 in Berlin, shown in UTC (the display zone), the excluded day left out.
            foreach (var expected in NextBerlinTwoAm(3))
            {
                Assert.Contains(expected, nightly, StringComparison.Ordinal);
            }

            var hourly = await page.InnerTextAsync("tr[data-schedule=orders-hourly]");
            Assert.Contains("Skip", hourly, StringComparison.Ordinal);
            Assert.Contains("none", hourly, StringComparison.Ordinal);

            // Pause, then resume: the clustered store says so, the page too.
            await DashboardPage.ClickAndWaitForReloadAsync(page, "#pause-nightly");
            Assert.Equal("PAUSED", await ds.ScalarAsync<string>("select trigger_state from quartz.qrtz_triggers where trigger_name = 'nightly'"));
            Assert.Contains("paused", await page.InnerTextAsync("tr[data-schedule=nightly]"), StringComparison.Ordinal);
            await DashboardPage.ScreenshotsAsync(page, "schedules-paused");
            await DashboardPage.ClickAndWaitForReloadAsync(page, "#resume-nightly");
            Assert.Equal("WAITING", await ds.ScalarAsync<string>("select trigger_state from quartz.qrtz_triggers where trigger_name = 'nightly'"));

            // Fire now: a confirmation, and its link leads to the run the firing enqueued.
            await DashboardPage.ClickAndWaitForReloadAsync(page, "#fire-orders-hourly");
            Assert.Contains("Fired schedule orders-hourly now", await page.InnerTextAsync("#crm-started"), StringComparison.Ordinal);
            await DashboardPage.ScreenshotsAsync(page, "schedules-fired");
            await page.ClickAsync("#crm-started a");
            await page.WaitForURLAsync("**/hangfire/runs?firing=*");
            await Poll.UntilAsync(
                async () =>
                {
                    if ((await page.InnerTextAsync("#crm-runs")).Contains("orders succeeded", StringComparison.Ordinal))
                    {
                        return true;
                    }

                    await page.ReloadAsync();
                    return false;
                },
                TimeSpan.FromSeconds(60),
                interval: TimeSpan.FromMilliseconds(250));

            var runs = await page.InnerTextAsync("#crm-runs");
            Assert.Contains("scheduled", runs, StringComparison.Ordinal);
            Assert.Contains("orders succeeded", runs, StringComparison.Ordinal);
            Assert.Equal(1L, await ds.ScalarAsync<long>("select count(*) from ops.pipeline_run where trigger_key like 'crm-manual.orders-hourly-now-%'"));
            await DashboardPage.ScreenshotsAsync(page, "schedules-fired-run");

            // Run now on the Pipeline page confirms with the run it started.
            await page.GotoAsync(_host.BaseUrl + "/hangfire/pipeline");
            await DashboardPage.ClickAndWaitForReloadAsync(page, "#trigger-orders");
            var started = await page.InnerTextAsync("#crm-started");
            var runId = await ds.ScalarAsync<Guid>("select run_id from ops.pipeline_run where kind = 'manual'");
            Assert.Contains($"run {runId}", started, StringComparison.Ordinal);
            Assert.EndsWith($"/hangfire/runs?run={runId}", await page.GetAttributeAsync("#crm-started a", "href"), StringComparison.Ordinal);
            await DashboardPage.ScreenshotsAsync(page, "pipeline-run-now");
        }
    }

    [Fact]
    public async Task Viewer_SeesTheSchedules_ButNoButton_AndAPostIsRefused()
    {
        await using var ds = NpgsqlDataSource.Create(_host.ConnectionString);
        await using (var browser = await Browser.OpenAsync())
        {
            var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1024, Height = 800 } });
            await DashboardPage.SignInAsync(page, _host.BaseUrl, "vic", "viewer-pass");
            await page.GotoAsync(_host.BaseUrl + "/hangfire/schedules");
            await DashboardPage.ScreenshotsAsync(page, "schedules-viewer");
            Assert.Contains("0 0 2 * * ?", await page.InnerTextAsync("#crm-schedules"), StringComparison.Ordinal);
            Assert.Equal(0, await page.Locator("#crm-schedules button").CountAsync());
            Assert.Contains("viewer", await page.InnerTextAsync(".alert-warning"), StringComparison.Ordinal);
            foreach (var path in new[] { "/hangfire/schedules/pause/nightly", "/hangfire/schedules/fire/nightly", "/hangfire/schedules/resume/nightly" })
            {
                Assert.Equal(403, (await page.APIRequest.PostAsync(_host.BaseUrl + path)).Status);
            }

            Assert.Equal("WAITING", await ds.ScalarAsync<string>("select trigger_state from quartz.qrtz_triggers where trigger_name = 'nightly'"));
            Assert.Equal(0L, await ds.ScalarAsync<long>("select count(*) from quartz.qrtz_triggers where trigger_group = 'crm-manual'"));
        }
    }

    /// <summary>The next <paramref name="count"/> 02:00 in Berlin after now, in UTC, as the page writes them, skipping the excluded day.</summary>
    private static List<string> NextBerlinTwoAm(int count)
    {
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var now = DateTime.UtcNow;
        var list = new List<string>();
        for (var day = DateOnly.FromDateTime(now).AddDays(-1); list.Count < count; day = day.AddDays(1))
        {
            var utc = TimeZoneInfo.ConvertTimeToUtc(day.ToDateTime(new TimeOnly(2, 0)), berlin);
            if (utc > now && day != Excluded)
            {
                list.Add(utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            }
        }

        return list;
    }
}

using Crm.IntegrationTests.Infrastructure;
using Microsoft.Playwright;
using Npgsql;

namespace Crm.IntegrationTests.Dashboard;

/// <summary>
/// Issue 19, the Nights page in headless Chromium under the dashboard's CSP: the stage-duration and loads charts hold
/// the seeded nights' numbers, and their CSV links give the same numbers.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class NightsBrowserTests(PostgresCluster cluster) : IAsyncLifetime
{
    private DashboardHost _host = null!;

    public async Task InitializeAsync() => _host = await DashboardHost.StartAsync(cluster, "nights", s => s["Crm:Scheduler:Enabled"] = "false");

    public Task DisposeAsync() => _host.DisposeAsync().AsTask();

    [Fact]
    public async Task TheChartsHoldTheSeededNights_AndTheirCsvGivesTheSameNumbers()
    {
        await using var ds = NpgsqlDataSource.Create(_host.ConnectionString);
        // Three nights: orders 12 s + identity 30 s, then orders 20 s, then orders 8 s + identity 45 s (UTC, the display zone).
        await ds.ExecuteAsync(
            """
            insert into ops.pipeline_run (run_id, kind, status, started_at, finished_at) values
              ('00000000-0000-0000-0000-000000000001', 'nightly', 'succeeded', '2026-11-01T02:00:00Z', '2026-11-01T02:01:00Z'),
              ('00000000-0000-0000-0000-000000000002', 'nightly', 'succeeded', '2026-11-02T02:00:00Z', '2026-11-02T02:01:00Z'),
              ('00000000-0000-0000-0000-000000000003', 'nightly', 'succeeded', '2026-11-03T02:00:00Z', '2026-11-03T02:01:00Z');
            insert into ops.pipeline_stage (run_id, stage, status, started_at, finished_at) values
              ('00000000-0000-0000-0000-000000000001', 'orders', 'succeeded', '2026-11-01T02:00:00Z', '2026-11-01T02:00:12Z'),
              ('00000000-0000-0000-0000-000000000001', 'identity', 'succeeded', '2026-11-01T02:00:12Z', '2026-11-01T02:00:42Z'),
              ('00000000-0000-0000-0000-000000000002', 'orders', 'succeeded', '2026-11-02T02:00:00Z', '2026-11-02T02:00:20Z'),
              ('00000000-0000-0000-0000-000000000003', 'orders', 'succeeded', '2026-11-03T02:00:00Z', '2026-11-03T02:00:08Z'),
              ('00000000-0000-0000-0000-000000000003', 'identity', 'succeeded', '2026-11-03T02:00:08Z', '2026-11-03T02:00:53Z');
            insert into ops.ingest_ledger (source, unit_key, read_count, loaded_count, quarantined_count, loaded_at) values
              ('orders', 'shop:a.csv', 103, 100, 3, '2026-11-01T02:00:05Z'),
              ('weblogs', 'www:access.log', 5000, 4990, 10, '2026-11-01T02:00:07Z'),
              ('orders', 'shop:b.csv', 250, 250, 0, '2026-11-03T02:00:04Z');
            """);

        await using (var browser = await Browser.OpenAsync())
        {
            var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1024, Height = 800 } });
            var blocked = DashboardPage.CspViolations(page);
            await DashboardPage.SignInAsync(page, _host.BaseUrl, "vic", "viewer-pass");
            var response = await page.GotoAsync(_host.BaseUrl + "/hangfire/nights");
            Assert.Equal(200, response!.Status);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Browser.ArtifactsDirectory, "nights-1024.png"), FullPage = true });
            // Hangfire's footer shows the page's time as the pages do, ISO 8601 with the zone, not in the browser's format.
            Assert.Matches(@"^Application Time: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", (await page.InnerTextAsync("#footer li:nth-child(2)")).Trim());
            await page.SetViewportSizeAsync(390, 844);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Browser.ArtifactsDirectory, "nights-390.png"), FullPage = true });
            // On a phone the page does not scroll sideways; a chart does, in its own box, where its labels keep a size
            // that can be read (scaled to the screen they were under 5 px).
            Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"), "the page is wider than the phone");
            Assert.True(await page.EvaluateAsync<double>("() => document.querySelector('#crm-chart-durations text').getBoundingClientRect().height") >= 9, "the chart's labels are too small to read at 390 px");

            // Stacked per night, stages in name order: identity under orders.
            Assert.Equal("30|12|20|45|8", await Bars(page, "#crm-chart-durations"));
            Assert.Equal("identity|orders|orders|identity|orders", await page.EvaluateAsync<string>(
                "() => [...document.querySelectorAll('#crm-chart-durations rect[data-series]')].map(r => r.dataset.series).join('|')"));
            Assert.Equal("100|3|4990|10|250", await Bars(page, "#crm-chart-loads"));
            // The bars have their height: the SVG is drawn, not blocked.
            Assert.True(await page.EvaluateAsync<double>("() => document.querySelector('#crm-chart-durations').getBoundingClientRect().height") > 50);
            Assert.Empty(blocked);

            var durations = await (await page.APIRequest.GetAsync(_host.BaseUrl + "/hangfire/nights/durations.csv")).TextAsync();
            Assert.Equal("night,stage,seconds\n2026-11-01,identity,30\n2026-11-01,orders,12\n2026-11-02,orders,20\n2026-11-03,identity,45\n2026-11-03,orders,8\n", durations);
            var loads = await (await page.APIRequest.GetAsync(_host.BaseUrl + "/hangfire/nights/loads.csv")).TextAsync();
            Assert.Equal("night,source,loaded,quarantined\n2026-11-01,orders,100,3\n2026-11-01,weblogs,4990,10\n2026-11-03,orders,250,0\n", loads);
        }
    }

    /// <summary>The values of a chart's bars, left to right and bottom to top.</summary>
    private static Task<string> Bars(IPage page, string chart) =>
        page.EvaluateAsync<string>($"() => [...document.querySelectorAll('{chart} rect[data-value]')].map(r => r.dataset.value).join('|')");
}

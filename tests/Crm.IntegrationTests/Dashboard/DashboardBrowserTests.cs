using System.Net;
using Crm.Dashboard;
using Crm.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Npgsql;

namespace Crm.IntegrationTests.Dashboard;

/// <summary>The dashboard in headless Chromium: sign in, open every page, run a stage as admin and see it finish, be refused as viewer.</summary>
[Collection(HostCollection.Name)]
public sealed class DashboardBrowserTests(PostgresCluster cluster) : IAsyncLifetime
{
    private readonly string _feedFolder = Directory.CreateTempSubdirectory("crm-browser-orders-").FullName;
    private DashboardHost _host = null!;

    public async Task InitializeAsync() => _host = await DashboardHost.StartAsync(cluster, "browser", s =>
    {
        s["Crm:Scheduler:Enabled"] = "false";
        // An order feed with a row the feed's settings cannot read, for the data-quality page's re-process.
        s["Crm:Orders:Feeds:0:Name"] = "shop";
        s["Crm:Orders:Feeds:0:Folder"] = _feedFolder;
        s["Crm:Orders:Feeds:0:Pattern"] = "*.csv";
        s["Crm:Orders:Feeds:0:Format"] = "csv";
        s["Crm:Orders:Feeds:0:Columns:order_id"] = "order_id";
        s["Crm:Orders:Feeds:0:Columns:order_date"] = "order_date";
        s["Crm:Orders:Feeds:0:Columns:customer_id"] = "customer_id";
        s["Crm:Orders:Feeds:0:Columns:quantity"] = "quantity";
        s["Crm:Orders:Feeds:0:Columns:unit_price"] = "unit_price";
    }, workerNode: "browser-worker");

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_feedFolder, recursive: true);
    }

    [Fact]
    public async Task Admin_OpensEveryPage_RunsAStage_AndSeesItFinish()
    {
        await using (var browser = await Browser.OpenAsync())
        {
            var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
            var page = await context.NewPageAsync();
            await page.GotoAsync(_host.BaseUrl + "/hangfire");
            Assert.Contains("/login", page.Url, StringComparison.Ordinal);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Browser.ArtifactsDirectory, "dashboard-login.png") });
            await DashboardPage.SignInAsync(page, _host.BaseUrl, "ada", "admin-pass");

            foreach (var (path, marker) in new[] { ("/hangfire/runs", "Pipeline runs"), ("/hangfire/quality", "Data quality"), ("/hangfire/identity", "Identity"), ("/hangfire/models", "Models"), ("/hangfire/reports", "Reports"), ("/hangfire/progress", "Job progress"), ("/hangfire/pipeline", "Pipeline") })
            {
                // Each page in its own tab: the progress page reloads itself, which would cut off the next navigation.
                var tab = await context.NewPageAsync();
                var response = await tab.GotoAsync(_host.BaseUrl + path);
                Assert.Equal(200, response!.Status);
                Assert.Contains(marker, await tab.InnerTextAsync("h1.page-header"), StringComparison.Ordinal);
                await tab.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Browser.ArtifactsDirectory, $"dashboard{path.Replace('/', '-')}.png"), FullPage = true });
                await tab.CloseAsync();
            }

            await page.GotoAsync(_host.BaseUrl + "/hangfire/pipeline");
            await DashboardPage.ClickAndWaitForReloadAsync(page, "#trigger-orders");

            // Watch the run finish on the Runs page (bounded).
            await using var dataSource = NpgsqlDataSource.Create(_host.ConnectionString);
            await Poll.UntilAtLeastAsync(dataSource, "select count(*) from ops.pipeline_run where status = 'succeeded'", 1, TimeSpan.FromSeconds(60));

            await page.GotoAsync(_host.BaseUrl + "/hangfire/runs");
            var runs = await page.InnerTextAsync("#crm-runs");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Browser.ArtifactsDirectory, "dashboard-run-finished.png"), FullPage = true });
            Assert.Contains("manual", runs, StringComparison.Ordinal);
            Assert.Contains("orders succeeded", runs, StringComparison.Ordinal);

            // As admin too, the Nights chart holds the night just run: one orders bar, as long as the stage took.
            var seconds = await dataSource.ScalarAsync<double>("select extract(epoch from finished_at - started_at)::float8 from ops.pipeline_stage where stage = 'orders' and status = 'succeeded'");
            await page.GotoAsync(_host.BaseUrl + "/hangfire/nights");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Browser.ArtifactsDirectory, "dashboard-nights-admin.png"), FullPage = true });
            var bars = await page.EvaluateAsync<string>(
                "() => [...document.querySelectorAll('#crm-chart-durations rect[data-series]')].map(r => r.dataset.series + ':' + r.dataset.value).join('|')");
            Assert.Equal("orders:" + seconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture), bars);
        }
    }

    [Fact]
    public async Task Viewer_SeesPagesButNoRunButton_AndAPostIsRefused()
    {
        await using (var browser = await Browser.OpenAsync())
        {
            var page = await browser.NewPageAsync();
            await DashboardPage.SignInAsync(page, _host.BaseUrl, "vic", "viewer-pass");

            await page.GotoAsync(_host.BaseUrl + "/hangfire/pipeline");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Browser.ArtifactsDirectory, "dashboard-viewer-pipeline.png") });
            Assert.Equal(0, await page.Locator("#trigger-orders").CountAsync());
            Assert.Contains("viewer", await page.InnerTextAsync(".alert-warning"), StringComparison.Ordinal);

            var refused = await page.APIRequest.PostAsync(_host.BaseUrl + "/hangfire/pipeline/trigger/orders");
            Assert.Equal(403, refused.Status);

            // Models and data quality: no promote, roll back or re-process buttons, and their posts are refused.
            await page.GotoAsync(_host.BaseUrl + "/hangfire/models");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Browser.ArtifactsDirectory, "dashboard-viewer-models.png") });
            Assert.Equal(0, await page.Locator("#rollback, .crm-promote").CountAsync());
            await page.GotoAsync(_host.BaseUrl + "/hangfire/quality");
            Assert.Equal(0, await page.Locator(".crm-reprocess").CountAsync());
            foreach (var path in new[] { "/hangfire/models/rollback", "/hangfire/models/promote/churn-a", "/hangfire/quality/reprocess/orders" })
            {
                Assert.Equal(403, (await page.APIRequest.PostAsync(_host.BaseUrl + path)).Status);
            }
        }
    }

    [Fact]
    public async Task Admin_PromotesAndRollsBackAModel_AndReprocessesQuarantinedFiles()
    {
        await using var dataSource = NpgsqlDataSource.Create(_host.ConnectionString);
        await dataSource.ExecuteAsync("""
            insert into ml.model (kind, version, trainer, metrics, status, status_reason, created_at, promoted_at) values
              ('churn', 'churn-a', 'FastTree', '{"auc": 0.71}', 'retired', 'replaced by churn-b', now() - interval '3 days', now() - interval '3 days'),
              ('churn', 'churn-b', 'FastTree', '{"auc": 0.74}', 'champion', 'better on the latest cutoff', now() - interval '2 days', now() - interval '2 days'),
              ('churn', 'churn-c', 'LightGbm', '{"auc": 0.73}', 'challenger', 'not better than churn-b', now() - interval '1 day', null);
            """);
        File.WriteAllText(Path.Combine(_feedFolder, "shop-1.csv"),
            "order_id,order_date,customer_id,quantity,unit_price\no1,2026-01-05T10:00:00Z,c1,1,9.99\no2,05.01.2026,c2,1,5.00\n");
        await new Crm.Pipeline.Sources.Orders.OrderFeedIngester(dataSource, Microsoft.Extensions.Logging.Abstractions.NullLogger<Crm.Pipeline.Sources.Orders.OrderFeedIngester>.Instance)
            .IngestFileAsync(Path.Combine(_feedFolder, "shop-1.csv"), Feed(), null, CancellationToken.None);
        Assert.Equal(1L, await dataSource.ScalarAsync<long>("select count(*) from quarantine.record"));

        await using (var browser = await Browser.OpenAsync())
        {
            var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
            page.Dialog += (_, dialog) => { _ = dialog.AcceptAsync(); }; // the confirm() of promote and roll back
            await DashboardPage.SignInAsync(page, _host.BaseUrl, "ada", "admin-pass");

            // Promote the challenger: the page reloads with it as the champion.
            await page.GotoAsync(_host.BaseUrl + "/hangfire/models");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Browser.ArtifactsDirectory, "dashboard-models-admin.png"), FullPage = true });
            // Hangfire's script reloads the page when the command succeeds: wait for that, not navigate over it.
            await DashboardPage.ClickAndWaitForReloadAsync(page, "#promote-churn-c");
            await WaitForAsync(dataSource, "select count(*) from ml.model where version = 'churn-c' and status = 'champion'");
            Assert.Contains("promoted by admin ada", await page.InnerTextAsync("#crm-models"), StringComparison.Ordinal);
            Assert.Equal(0, await page.Locator("#promote-churn-c").CountAsync());
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Browser.ArtifactsDirectory, "dashboard-models-promoted.png"), FullPage = true });

            // Roll back: the previous champion returns, the rolled-back one is rejected.
            await DashboardPage.ClickAndWaitForReloadAsync(page, "#rollback");
            await WaitForAsync(dataSource, "select count(*) from ml.model where version = 'churn-b' and status = 'champion'");
            Assert.Equal("rejected", await dataSource.ScalarAsync<string>("select status from ml.model where version = 'churn-c'"));
            Assert.Contains("rolled back by admin", await page.InnerTextAsync("#crm-models"), StringComparison.Ordinal);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Browser.ArtifactsDirectory, "dashboard-models-rolled-back.png"), FullPage = true });

            // A version that does not exist: refused with 422 and the registry's reason, posted as the page's script posts.
            var refusal = await page.EvaluateAsync<string>(
                """
                async () => {
                  const headers = {};
                  headers[document.querySelector('meta[name="csrf-header"]').content] = document.querySelector('meta[name="csrf-token"]').content;
                  const r = await fetch('/hangfire/models/promote/churn-zzz', { method: 'POST', headers });
                  return r.status + ' ' + await r.text();
                }
                """);
            Assert.Equal("422 No churn model with version 'churn-zzz' (see `crm churn models`).", refusal);
            Assert.Equal("churn-b", await dataSource.ScalarAsync<string>("select version from ml.model where status = 'champion'"));
            // Clicked, a refused command shows its reason above the page (Hangfire's script showed nothing and left the
            // button saying "Promoting…"): the model was renamed after the page was drawn.
            await dataSource.ExecuteAsync("update ml.model set version = 'churn-a-renamed' where version = 'churn-a'");
            await page.ClickAsync("#promote-churn-a");
            Assert.Equal("No churn model with version 'churn-a' (see `crm churn models`).", (await page.Locator("#crm-refused").InnerTextAsync()).Trim());

            // Re-process the quarantined order file: released, the orders stage runs again and reads it.
            await page.GotoAsync(_host.BaseUrl + "/hangfire/quality");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Browser.ArtifactsDirectory, "dashboard-quality-admin.png"), FullPage = true });
            await DashboardPage.ClickAndWaitForReloadAsync(page, "button.crm-reprocess[data-source=orders]");
            await WaitForAsync(dataSource, "select count(*) from ops.pipeline_stage where stage = 'orders' and status = 'succeeded'");
            Assert.Equal(2L, await dataSource.ScalarAsync<long>("select count(*) from ops.ingest_ledger where source = 'orders'"));
            Assert.Equal("ada", await dataSource.ScalarAsync<string>("select detail ->> 'released_by' from ops.ingest_ledger where checksum is null"));
            // Still unreadable with the same settings: quarantined again, from the new read.
            Assert.Equal(1L, await dataSource.ScalarAsync<long>("select count(*) from quarantine.record q join ops.ingest_ledger l using (ledger_id) where l.checksum is not null"));
            await page.GotoAsync(_host.BaseUrl + "/hangfire/runs");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Browser.ArtifactsDirectory, "dashboard-reprocessed.png"), FullPage = true });
            Assert.Contains("orders succeeded", await page.InnerTextAsync("#crm-runs"), StringComparison.Ordinal);
        }
    }

    private Crm.Pipeline.Sources.Orders.OrderFeedOptions Feed() =>
        _host!.App.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Crm.Pipeline.Sources.Orders.OrdersOptions>>().Value.Feeds.Single();

    private static async Task WaitForAsync(NpgsqlDataSource dataSource, string countSql)
    {
        await Poll.UntilAtLeastAsync(dataSource, countSql, 1, TimeSpan.FromSeconds(60));
        Assert.True(await dataSource.ScalarAsync<long>(countSql) > 0, "timed out waiting for: " + countSql);
    }
}

using System.Net;
using System.Net.Sockets;
using Crm.Dashboard;
using Crm.IntegrationTests.Infrastructure;
using Crm.Pipeline.Ops;
using Crm.Worker.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Playwright;
using Npgsql;

namespace Crm.IntegrationTests.Dashboard;

/// <summary>The dashboard in headless Chromium: sign in, open every page, run a stage as admin and see it finish, be refused as viewer.</summary>
[Collection(PostgresCollection.Name)]
public sealed class DashboardBrowserTests(PostgresCluster cluster) : IAsyncLifetime
{
    private WebApplication? _app;
    private IHost? _worker;
    private string _baseUrl = "";
    private string _connectionString = "";

    public async Task InitializeAsync()
    {
        _connectionString = await cluster.CreateDatabaseAsync("browser");
        await ServiceHost.MigrateAsync(_connectionString, CancellationToken.None);
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Warehouse"] = _connectionString,
            ["Crm:Dashboard:Users:0:Name"] = "ada",
            ["Crm:Dashboard:Users:0:PasswordHash"] = PasswordHash.Create("admin-pass"),
            ["Crm:Dashboard:Users:0:Role"] = "admin",
            ["Crm:Dashboard:Users:1:Name"] = "vic",
            ["Crm:Dashboard:Users:1:PasswordHash"] = PasswordHash.Create("viewer-pass"),
            ["Crm:Dashboard:Users:1:Role"] = "viewer",
            ["Crm:Scheduler:Enabled"] = "false",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        _worker = ServiceHost.Build(new ConfigurationBuilder().AddInMemoryCollection(settings).Build(), _connectionString, "browser-worker");
        await _worker.StartAsync();
        _baseUrl = $"http://127.0.0.1:{FreePort()}";
        _app = DashboardApp.Build(["--urls", _baseUrl], b => b.Configuration.AddInMemoryCollection(settings));
        await _app.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        if (_worker is not null)
        {
            await _worker.StopAsync();
            _worker.Dispose();
        }
    }

    [Fact]
    public async Task Admin_OpensEveryPage_RunsAStage_AndSeesItFinish()
    {
        var (playwright, browser) = await Browser.LaunchAsync();
        using (playwright)
        await using (browser)
        {
            var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
            var page = await context.NewPageAsync();
            await page.GotoAsync(_baseUrl + "/hangfire");
            Assert.Contains("/login", page.Url, StringComparison.Ordinal);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Browser.ArtifactsDirectory, "dashboard-login.png") });
            await page.FillAsync("#username", "ada");
            await page.FillAsync("#password", "admin-pass");
            await page.ClickAsync("button[type=submit]");
            await page.WaitForURLAsync("**/hangfire");

            foreach (var (path, marker) in new[] { ("/hangfire/runs", "Pipeline runs"), ("/hangfire/quality", "Data quality"), ("/hangfire/identity", "Identity"), ("/hangfire/models", "Models"), ("/hangfire/reports", "Reports"), ("/hangfire/progress", "Job progress"), ("/hangfire/pipeline", "Pipeline") })
            {
                // Each page in its own tab: the progress page reloads itself, which would cut off the next navigation.
                var tab = await context.NewPageAsync();
                var response = await tab.GotoAsync(_baseUrl + path);
                Assert.Equal(200, response!.Status);
                Assert.Contains(marker, await tab.InnerTextAsync("h1.page-header"), StringComparison.Ordinal);
                await tab.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Browser.ArtifactsDirectory, $"dashboard{path.Replace('/', '-')}.png"), FullPage = true });
                await tab.CloseAsync();
            }

            await page.GotoAsync(_baseUrl + "/hangfire/pipeline");
            await page.ClickAsync("#trigger-orders");

            // Watch the run finish on the Runs page (bounded).
            await using var dataSource = NpgsqlDataSource.Create(_connectionString);
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (DateTime.UtcNow < deadline && await dataSource.ScalarAsync<long>("select count(*) from ops.pipeline_run where status = 'succeeded'") == 0)
            {
                await Task.Delay(500);
            }

            await page.GotoAsync(_baseUrl + "/hangfire/runs");
            var runs = await page.InnerTextAsync("#crm-runs");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Browser.ArtifactsDirectory, "dashboard-run-finished.png"), FullPage = true });
            Assert.Contains("manual", runs, StringComparison.Ordinal);
            Assert.Contains("orders succeeded", runs, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Viewer_SeesPagesButNoRunButton_AndAPostIsRefused()
    {
        var (playwright, browser) = await Browser.LaunchAsync();
        using (playwright)
        await using (browser)
        {
            var page = await browser.NewPageAsync();
            await page.GotoAsync(_baseUrl + "/login");
            await page.FillAsync("#username", "vic");
            await page.FillAsync("#password", "viewer-pass");
            await page.ClickAsync("button[type=submit]");
            await page.WaitForURLAsync("**/hangfire");

            await page.GotoAsync(_baseUrl + "/hangfire/pipeline");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Browser.ArtifactsDirectory, "dashboard-viewer-pipeline.png") });
            Assert.Equal(0, await page.Locator("#trigger-orders").CountAsync());
            Assert.Contains("viewer", await page.InnerTextAsync(".alert-warning"), StringComparison.Ordinal);

            var refused = await page.APIRequest.PostAsync(_baseUrl + "/hangfire/pipeline/trigger/orders");
            Assert.Equal(403, refused.Status);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

using Microsoft.Playwright;

namespace Crm.IntegrationTests.Infrastructure;

/// <summary>
/// Debian's Chromium, headless, driven by Playwright (no browser download): one browser for the whole
/// test run, launched on first use and closed when the test process exits. Each test works in its own
/// <see cref="BrowserSession"/>, whose pages and contexts share no cookies or storage with another test's.
/// </summary>
public static class Browser
{
    private static readonly Lazy<Task<IBrowser>> Shared = new(LaunchAsync);

    /// <summary>Where screenshots are kept as test artifacts.</summary>
    public static string ArtifactsDirectory
    {
        get
        {
            var dir = Path.Combine(TestData.RepositoryRoot, "TestResults", "screenshots");
            Directory.CreateDirectory(dir);
            return dir;
        }
    }

    /// <summary>A session on the run's browser (launched now if no test launched it yet); disposing it closes what it opened.</summary>
    public static async Task<BrowserSession> OpenAsync() => new(await Shared.Value);

    private static async Task<IBrowser> LaunchAsync()
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
            ],
        });
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            // Bounded: a browser that does not answer must not keep the test process from ending.
            browser.CloseAsync().Wait(TimeSpan.FromSeconds(10));
            playwright.Dispose();
        };
        return browser;
    }
}

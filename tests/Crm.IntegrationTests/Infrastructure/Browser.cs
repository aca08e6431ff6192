using Microsoft.Playwright;

namespace Crm.IntegrationTests.Infrastructure;

/// <summary>Debian's Chromium, headless, driven by Playwright (no browser download).</summary>
public static class Browser
{
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

    /// <summary>Launches headless Chromium from /usr/bin/chromium.</summary>
    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
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
        return (playwright, browser);
    }
}

using Microsoft.Playwright;

namespace Crm.IntegrationTests.Infrastructure;

/// <summary>What the browser tests do on a dashboard page again and again: sign in, watch the CSP, screenshot, click a command.</summary>
public static class DashboardPage
{
    /// <summary>Signs in on the login page of the dashboard at <paramref name="baseUrl"/> and waits for the home page.</summary>
    public static async Task SignInAsync(IPage page, string baseUrl, string user, string password)
    {
        ArgumentNullException.ThrowIfNull(page);
        await page.GotoAsync(baseUrl + "/login");
        await page.FillAsync("#username", user);
        await page.FillAsync("#password", password);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync("**/hangfire");
    }

    /// <summary>The Content-Security-Policy violations the page reports on its console from now on (a test asserts it stays empty).</summary>
    public static List<string> CspViolations(IPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        var blocked = new List<string>();
        page.Console += (_, m) =>
        {
            if (m.Text.Contains("Content Security Policy", StringComparison.Ordinal))
            {
                blocked.Add(m.Text);
            }
        };
        return blocked;
    }

    /// <summary>
    /// The page as it is (1024 px wide in these tests) and at 390 px (a phone), full length, as <c>NAME-1024.png</c>
    /// and <c>NAME-390.png</c>; the page is left at 1024 × 800.
    /// </summary>
    public static async Task ScreenshotsAsync(IPage page, string name)
    {
        ArgumentNullException.ThrowIfNull(page);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Browser.ArtifactsDirectory, $"{name}-1024.png"), FullPage = true });
        await page.SetViewportSizeAsync(390, 844);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Browser.ArtifactsDirectory, $"{name}-390.png"), FullPage = true });
        await page.SetViewportSizeAsync(1024, 800);
    }

    /// <summary>Clicks a command button and waits for the page to load again (Hangfire's script reloads it on success).</summary>
    public static async Task ClickAndWaitForReloadAsync(IPage page, string selector)
    {
        ArgumentNullException.ThrowIfNull(page);
        // The reload's request being sent is not enough: until the new document has loaded, the
        // old one still reports "loaded" and a following navigation would be interrupted by it.
        var reloaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLoad(object? sender, IPage p) => reloaded.TrySetResult();
        page.Load += OnLoad;
        try
        {
            await page.ClickAsync(selector);
            await reloaded.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            page.Load -= OnLoad;
        }
    }
}

using Microsoft.Playwright;
using SkiaSharp;

namespace Crm.IntegrationTests.Reports;

/// <summary>What the headless browser saw of a report at one width.</summary>
public sealed record Rendering(int Width, string ScreenshotPath, string ChartPath, string Text, int[] ImageWidths, int ScrollWidth, double ChartInkShare, int ChartColours)
{
    /// <summary>The share of inked pixels of every image on the page, in order.</summary>
    public double[] ImageInk { get; init; } = [];
}

/// <summary>
/// Renders report HTML in the run's one headless Chromium (<see cref="Infrastructure.Browser"/>) and keeps full-page screenshots as test artifacts.
/// </summary>
public static class ReportBrowser
{
    /// <summary>TestResults/artifacts/reports when CI made TestResults (it keeps that folder), else next to the test binaries.</summary>
    public static string ArtifactFolder { get; } = Directory.Exists(Path.Combine(Infrastructure.TestData.RepositoryRoot, "TestResults"))
        ? Path.Combine(Infrastructure.TestData.RepositoryRoot, "TestResults", "artifacts", "reports")
        : Path.Combine(AppContext.BaseDirectory, "artifacts", "reports");

    public static async Task<IReadOnlyList<Rendering>> ScreenshotAsync(string htmlPath, string name, params int[] widths)
    {
        Directory.CreateDirectory(ArtifactFolder);
        await using var browser = await Infrastructure.Browser.OpenAsync();
        var result = new List<Rendering>();
        foreach (var width in widths)
        {
            var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = width, Height = 900 }, DeviceScaleFactor = 1 });
            await page.GotoAsync(new Uri(htmlPath).AbsoluteUri, new PageGotoOptions { WaitUntil = WaitUntilState.Load });
            var shot = Path.Combine(ArtifactFolder, $"{name}-{width}px.png");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = shot, FullPage = true });
            var chart = Path.Combine(ArtifactFolder, $"{name}-{width}px-chart.png");
            var chartBytes = await page.Locator("img").First.ScreenshotAsync(new LocatorScreenshotOptions { Path = chart });
            var text = await page.InnerTextAsync("body");
            var widthsOfImages = await page.EvaluateAsync<int[]>("Array.from(document.images).map(i => i.naturalWidth)");
            var scrollWidth = await page.EvaluateAsync<int>("document.documentElement.scrollWidth");
            var (ink, colours) = Ink(chartBytes);
            var inks = new List<double>();
            foreach (var image in await page.Locator("img").AllAsync())
            {
                inks.Add(Ink(await image.ScreenshotAsync()).Ink);
            }

            result.Add(new Rendering(width, shot, chart, text, widthsOfImages, scrollWidth, ink, colours) { ImageInk = [.. inks] });
            await page.CloseAsync();
        }

        return result;
    }

    /// <summary>Share of pixels that are not (near) white, and the number of distinct colours: a blank chart has ~0 and 1.</summary>
    private static (double Ink, int Colours) Ink(byte[] png)
    {
        using var bitmap = SKBitmap.Decode(png);
        var inked = 0;
        var colours = new HashSet<uint>();
        for (var y = 0; y < bitmap.Height; y++)
        {
            for (var x = 0; x < bitmap.Width; x++)
            {
                var c = bitmap.GetPixel(x, y);
                colours.Add((uint)c);
                if (c.Red < 235 || c.Green < 235 || c.Blue < 235)
                {
                    inked++;
                }
            }
        }

        return ((double)inked / (bitmap.Width * bitmap.Height), colours.Count);
    }
}

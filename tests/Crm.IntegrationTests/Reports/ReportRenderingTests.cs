using Crm.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Crm.IntegrationTests.Reports;

/// <summary>Issue 9: the report's HTML as a browser shows it, at desktop and phone widths.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ReportRenderingTests(PostgresCluster cluster, ITestOutputHelper output)
{
    [Fact]
    public async Task ReportHtml_RendersInChromiumAtDesktopAndPhoneWidth_WithTextAndNonBlankCharts()
    {
        await using var ds = await cluster.CreateMigratedDatabaseAsync("rep");
        await ReportWarehouse.FillAsync(ds);
        var options = ReportWarehouse.Options();
        var summary = await ReportWarehouse.Service(ds, options).RunAsync(CancellationToken.None);
        var html = summary.WrittenFiles.Single(f => f.EndsWith(".html", StringComparison.Ordinal));

        var renderings = await ReportBrowser.ScreenshotAsync(html, "test-report", 1024, 390);

        foreach (var r in renderings)
        {
            output.WriteLine($"{r.Width}px: {r.ScreenshotPath}");
            Assert.Contains("February 2026", r.Text, StringComparison.Ordinal);
            Assert.Contains("Revenue", r.Text, StringComparison.Ordinal);
            Assert.Contains("$595", r.Text, StringComparison.Ordinal);
            Assert.Contains("Who is about to leave", r.Text, StringComparison.Ordinal);
            Assert.Contains("Dee, \"the\" Dean", r.Text, StringComparison.Ordinal);
            Assert.Equal(4, r.ImageWidths.Length);
            Assert.All(r.ImageWidths, w => Assert.True(w > 0, "an image did not load"));
            Assert.True(r.ChartInkShare > 0.02, $"revenue chart looks blank ({r.ChartInkShare:P1} inked)");
            Assert.True(r.ChartColours > 8, $"revenue chart has only {r.ChartColours} colours");
            // Readable at phone width: nothing forces sideways scrolling.
            Assert.True(r.ScrollWidth <= r.Width, $"page is {r.ScrollWidth}px wide at a {r.Width}px viewport");
            Assert.True(new FileInfo(r.ScreenshotPath).Length > 10_000);
        }

        Directory.Delete(options.Outbox, recursive: true);
    }
}

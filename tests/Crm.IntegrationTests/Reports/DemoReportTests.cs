using Crm.IntegrationTests.Infrastructure;
using Crm.Pipeline.Reports;
using MimeKit;
using Xunit.Abstractions;

namespace Crm.IntegrationTests.Reports;

/// <summary>
/// The demo manager email on the real CDNOW sample: written to the outbox (no SMTP), rendered in Chromium,
/// screenshots kept under artifacts/reports (the paths are printed). English and Chinese.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class DemoReportTests(PostgresCluster cluster, ITestOutputHelper output)
{
    [Fact]
    public async Task CdnowDemoReport_IsWrittenToTheOutboxAndRendersForDesktopAndPhone()
    {
        await using var ds = await cluster.CreateMigratedDatabaseAsync("demo");
        await DemoReportWarehouse.FillAsync(ds);
        var outbox = Path.Combine(ReportBrowser.ArtifactFolder, "outbox");
        if (Directory.Exists(outbox))
        {
            Directory.Delete(outbox, recursive: true);
        }

        var options = new ReportsOptions
        {
            AsOf = DemoReportWarehouse.AsOf,
            Outbox = outbox,
            Smtp = new SmtpOptions { From = "reports@cdnow.example" },
            Recipients =
            [
                new RecipientOptions { Name = "Maria", Address = "maria@cdnow.example", TimeZone = "America/New_York", Cadence = "monthly", DayOfMonth = 1, Hour = 8 },
                new RecipientOptions { Name = "李伟", Address = "li.wei@cdnow.example", TimeZone = "Asia/Shanghai", Cadence = "weekly", Weekday = DayOfWeek.Monday, Hour = 9, Language = "zh", Scope = new ReportScopeOptions { Region = "Asia Pacific" } },
            ],
        };

        var summary = await ReportWarehouse.Service(ds, options).RunAsync(CancellationToken.None);

        Assert.Equal(2, summary.Sent);
        foreach (var file in summary.WrittenFiles)
        {
            output.WriteLine("outbox: " + file);
        }

        var monthly = summary.Outcomes.Single(o => o.Recipient == "maria@cdnow.example");
        Assert.Equal("monthly:1998-03-01..1998-04-01", monthly.PeriodKey);
        var message = await MimeMessage.LoadAsync(monthly.EmlPath!);
        Assert.StartsWith("Monthly customer report, March 1998", message.Subject, StringComparison.Ordinal);
        Assert.Single(message.Attachments);

        var renderings = await ReportBrowser.ScreenshotAsync(monthly.HtmlPath!, "demo-report", 1024, 390);
        foreach (var r in renderings)
        {
            output.WriteLine($"screenshot {r.Width}px: {r.ScreenshotPath}");
            Assert.Contains("March 1998", r.Text, StringComparison.Ordinal);
            Assert.Contains("Who is about to leave", r.Text, StringComparison.Ordinal);
            Assert.True(r.ChartInkShare > 0.02, $"revenue chart looks blank ({r.ChartInkShare:P1} inked)");
        }

        var weekly = summary.Outcomes.Single(o => o.Recipient == "li.wei@cdnow.example");
        var zh = await ReportBrowser.ScreenshotAsync(weekly.HtmlPath!, "demo-report-zh", 390);
        output.WriteLine($"screenshot zh 390px: {zh[0].ScreenshotPath}");
        Assert.Contains("客户报告", zh[0].Text, StringComparison.Ordinal);
    }
}

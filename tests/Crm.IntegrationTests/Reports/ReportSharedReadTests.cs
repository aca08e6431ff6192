using Crm.IntegrationTests.Infrastructure;
using Crm.Pipeline.Reports;
using MimeKit;

namespace Crm.IntegrationTests.Reports;

/// <summary>
/// Issue 20: recipients of the same scope share one warehouse read within a run, yet each report is
/// addressed to its own recipient, and a recipient with another scope still gets that scope's figures.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ReportSharedReadTests(PostgresCluster cluster)
{
    [Fact]
    public async Task RecipientsOfOneScopeShareARead_EachGetsOwnReport_AndAnotherScopeGetsItsOwnFigures()
    {
        await using var ds = await cluster.CreateMigratedDatabaseAsync("repshared");
        await ReportWarehouse.FillAsync(ds);
        var eu = ReportWarehouse.Manager("eu@crm.test");
        eu.Scope = new ReportScopeOptions { Region = "EU" };
        var options = ReportWarehouse.Options(null, 25, null, ReportWarehouse.Manager("maria@crm.test"), ReportWarehouse.Manager("max@crm.test", "zh"), eu);

        var summary = await ReportWarehouse.Service(ds, options).RunAsync(CancellationToken.None);

        Assert.Equal(3, summary.Sent);
        var messages = new Dictionary<string, MimeMessage>(StringComparer.Ordinal);
        foreach (var eml in summary.WrittenFiles.Where(f => f.EndsWith(".eml", StringComparison.Ordinal)))
        {
            var message = await MimeMessage.LoadAsync(eml);
            messages[message.To.Mailboxes.Single().Address] = message;
        }

        Assert.Equal(["eu@crm.test", "maria@crm.test", "max@crm.test"], messages.Keys.Order(StringComparer.Ordinal));
        // By hand from ReportWarehouse: February's counted orders are o2 200, o4 300, o9 70 and unmapped o10 25 (= 595);
        // the EU customers (Ann, Cy, Fay) hold o2, o4 and o9 (= 570).
        Assert.StartsWith("Monthly customer report, February 2026: revenue $595", messages["maria@crm.test"].Subject, StringComparison.Ordinal);
        Assert.StartsWith("每月客户报告", messages["max@crm.test"].Subject, StringComparison.Ordinal);
        Assert.Contains("595", messages["max@crm.test"].Subject, StringComparison.Ordinal);
        Assert.DoesNotContain("Monthly customer report", messages["max@crm.test"].Subject, StringComparison.Ordinal);
        Assert.Contains("revenue $570", messages["eu@crm.test"].Subject, StringComparison.Ordinal);
        Directory.Delete(options.Outbox, recursive: true);
    }
}

using Crm.IntegrationTests.Infrastructure;
using MimeKit;

namespace Crm.IntegrationTests.Reports;

/// <summary>
/// Issue 18: amounts converted to the report currency with the configured rates (and said so), a currency
/// without a rate named, and data health measured at the period's end rather than at sending.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ReportCurrencyTests(PostgresCluster cluster)
{
    [Fact]
    public async Task Report_ConvertsEveryCurrencyWithTheConfiguredRates_AndNamesOneWithout()
    {
        await using var ds = await cluster.CreateMigratedDatabaseAsync("repfx");
        await ReportWarehouse.FillAsync(ds);
        // February 2026 besides the USD orders of the sample warehouse: 50 EUR, 16,000 JPY and 10 GBP (no rate).
        await ds.ExecuteAsync(
            """
            insert into core."order" (feed, order_id, order_ts, source_customer_id, currency, status, line_count, total_amount, ledger_id) values
              ('shop', 'fx1', '2026-02-11 10:00+00', 'c1', 'EUR', 'ordered', 1, 50, 1),
              ('shop', 'fx2', '2026-02-12 10:00+00', 'c3', 'JPY', 'ordered', 1, 16000, 1),
              ('shop', 'fx3', '2026-02-13 10:00+00', 'c6', 'GBP', 'ordered', 1, 10, 1);
            """);
        var options = ReportWarehouse.Options();
        options.Currency = "EUR";
        options.ExchangeRates = new(StringComparer.OrdinalIgnoreCase) { ["USD"] = 1.25m, ["JPY"] = 160m };

        var summary = await ReportWarehouse.Service(ds, options).RunAsync(CancellationToken.None);

        var eml = summary.WrittenFiles.Single(f => f.EndsWith(".eml", StringComparison.Ordinal));
        var message = await MimeMessage.LoadAsync(eml);
        var text = message.TextBody ?? "";
        // By hand: the February USD orders that count (o2 200, o4 300, o9 70, unmapped o10 25; o7 is cancelled)
        // are 595 USD = 476 EUR; + 50 EUR + 16,000 JPY / 160 = 100 EUR + 10 GBP left as it is = 636.
        Assert.Contains("Revenue was €636:", text, StringComparison.Ordinal);
        Assert.StartsWith("Monthly customer report, February 2026: revenue €636", message.Subject, StringComparison.Ordinal);
        Assert.Contains("1 EUR = 1.25 USD", text, StringComparison.Ordinal);
        Assert.Contains("1 EUR = 160 JPY", text, StringComparison.Ordinal);
        Assert.Contains("No exchange rate for GBP", text, StringComparison.Ordinal);
        // Bob's CLV of 100 is in his orders' currency (USD): 80 EUR; his churn probability 0.9 → 72 EUR at risk.
        var bob = text.Split('\n').Single(l => l.StartsWith("Bob Baker ", StringComparison.Ordinal));
        Assert.Contains("€80", bob, StringComparison.Ordinal);
        Assert.Contains("€72", bob, StringComparison.Ordinal);

        // Data health at the period's end (1 March 00:00 UTC), not at sending (2 March 09:00): the newest
        // order before it is o9, 25 February 10:00, i.e. 3 days and 14 hours earlier → "3 d before end".
        var orders = text.Split('\n').Single(l => l.StartsWith("orders ", StringComparison.Ordinal));
        Assert.EndsWith("3 d before end", orders.TrimEnd(), StringComparison.Ordinal);
        Directory.Delete(options.Outbox, recursive: true);
    }
}

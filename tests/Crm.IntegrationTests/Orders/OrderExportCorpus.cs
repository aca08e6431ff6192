using Crm.IntegrationTests.Infrastructure;
using Crm.Pipeline.Sources.Orders;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Crm.IntegrationTests.Orders;

/// <summary>
/// The order-export conformance corpus (tests/data/orders, see its README) and the figures of each
/// file, worked out by hand from the file: orders, lines, source customers, revenue (the sum of the
/// non-cancelled lines), cancelled lines, and the UTC time of named orders.
/// </summary>
public static class OrderExportCorpus
{
    /// <summary>One corpus file and what loading it must give.</summary>
    public sealed record Case(
        string File, string Feed, int Orders, int Lines, int Customers, decimal Revenue, int CancelledLines,
        params (string OrderId, string Utc)[] Times)
    {
        /// <summary>The file's path.</summary>
        public string Path => System.IO.Path.Combine(TestData.PublicData, "orders", File);

        /// <inheritdoc />
        public override string ToString() => File;
    }

    /// <summary>Every corpus file but the CDNOW master, whose figures its test computes from the file.</summary>
    public static readonly Case[] Cases =
    [
        // #1001: 2 × 24.50 + 120.00; #1002 refunded 35.00 (a return still counts); #1003 voided 60.00;
        // #1004: 3 × 45.00 + 15.00 + 2 × 20.00. Offsets in "Created at" win: -05:00 and -04:00.
        new("shopify-orders.csv", "shopify", 4, 7, 3, 169.00m + 35.00m + 190.00m, 1,
            ("#1001", "2024-03-05T19:22:10Z"), ("#1003", "2024-03-10T07:30:00Z"), ("#1004", "2024-11-03T06:30:00Z")),
        // 2041: 24.00 + 30.00; 2042: 12.50; 2043 cancelled 30.00; 2044 refunded 18.00. London is on BST (UTC+1) in April.
        new("woocommerce-orders.csv", "woocommerce", 4, 5, 3, 54.00m + 12.50m + 18.00m, 1,
            ("2041", "2024-04-02T09:15:33Z"), ("2044", "2024-04-07T20:05:59Z")),
        // 1,249.00 + 84.50 + 19.99 (closed = refunded); 42.00 canceled. Los Angeles: PST -8; 02:30 on
        // 2024-03-10 was skipped (read at -8); 01:30 on 2024-11-03 happened twice (the first, PDT -7).
        new("magento-orders.csv", "magento", 4, 4, 3, 1249.00m + 84.50m + 19.99m, 1,
            ("000000101", "2024-03-05T22:22:10Z"), ("000000102", "2024-03-10T07:59:59Z"),
            ("000000103", "2024-03-10T10:30:00Z"), ("000000104", "2024-11-03T08:30:00Z")),
        // 150.00 + 89.95; 25.00 cancelled. Day-first dates; Sydney is on AEST (UTC+10) in June and July.
        new("bigcommerce-orders.csv", "bigcommerce", 3, 3, 2, 150.00m + 89.95m, 1,
            ("120", "2024-06-13T14:00:00Z"), ("121", "2024-07-01T14:00:00Z")),
        // €73.90 + €19.90 + €45.00 (refunded); €1,249.00 canceled. Paris is on CEST (UTC+2) in May.
        new("prestashop-orders.csv", "prestashop", 4, 4, 3, 73.90m + 19.90m + 45.00m, 1,
            ("7", "2024-05-14T14:02:45Z"), ("10", "2024-05-22T17:45:10Z")),
        // 38.00 + 22.50 + 15.00; two buyers. Month-first two-digit years.
        new("etsy-sold-orders.csv", "etsy", 3, 3, 2, 38.00m + 22.50m + 15.00m, 0,
            ("3215550001", "2024-03-05T00:00:00Z"), ("3215550002", "2024-12-28T00:00:00Z")),
        // item-price is the line's total: 349.99 + 15.98 + 39.00.
        new("amazon-order-report.txt", "amazon", 2, 3, 2, 349.99m + 15.98m + 39.00m, 0,
            ("112-3563777-5518068", "2024-08-01T18:54:21Z"), ("113-0000001-0000002", "2024-08-02T07:10:00Z")),
        // 49.00 + 49.00 (refunded) + 199.00; the failed 199.00 charge is cancelled.
        new("stripe-payments.csv", "stripe", 4, 4, 2, 49.00m + 49.00m + 199.00m, 1,
            ("ch_3OqA1b2c3d4e5f6g", "2024-03-05T19:22:10Z")),
        // $12.50 + $4.25 (a guest) + $30.00 - $12.50 (a refund). Date and Time columns; New York on EDT (UTC-4).
        new("square-transactions.csv", "square", 4, 4, 1, 12.50m + 4.25m + 30.00m - 12.50m, 0,
            ("tA1b2C3d4E5f6G7h8", "2024-06-01T12:15:42Z"), ("tD1b2C3d4E5f6G7h8", "2024-06-03T14:00:00Z")),
        // 536365: 6 × 2.55 + 6 × 3.39 + 8 × 2.75 = 57.64; 536370: 24 × 3.75 + 3 × 18 = 144.00;
        // 536544 (no CustomerID, a guest sale): 2.51 + 2 × 8.47 = 19.45; 537626: 4 × 3.75 = 15.00;
        // 538530: 32 × 2.55 = 81.60; C536379 is a cancellation. London is on GMT in December.
        new("uci-online-retail.csv", "uci-online-retail", 6, 10, 4, 57.64m + 144.00m + 19.45m + 15.00m + 81.60m, 1,
            ("536365", "2010-12-01T08:26:00Z"), ("538530", "2010-12-13T10:22:00Z")),
        // 1.249,00 + 31,80 + 9,90 (erstattet); 25,00 storniert. Berlin: CET +1 in early March; 02:30 on
        // 2024-03-31 was skipped (read at +1); 02:30 on 2024-10-27 happened twice (the first, CEST +2).
        new("european-semicolon.csv", "european-semicolon", 3, 4, 3, 1249.00m + 31.80m + 9.90m, 1,
            ("B-24017", "2024-03-05T13:22:00Z"), ("B-24018", "2024-03-31T01:30:00Z"), ("B-24019", "2024-10-27T00:30:00Z")),
        // 2 × 45.00 + 30.00 + 128.00; Shanghai is UTC+8.
        new("excel-unicode-text.txt", "excel-unicode-text", 2, 3, 2, 90.00m + 30.00m + 128.00m, 0,
            ("SO-0001", "2024-03-05T06:22:10Z"), ("SO-0002", "2024-03-08T01:00:00Z")),
    ];

    /// <summary>Test data for a theory over the cases.</summary>
    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var c in Cases)
        {
            data.Add(c.File);
        }

        return data;
    }

    /// <summary>Loads <paramref name="file"/> through <paramref name="feed"/> and asserts the case's figures.</summary>
    public static async Task LoadAndAssertAsync(NpgsqlDataSource dataSource, Case c, OrderFeedOptions feed)
    {
        var ingester = new OrderFeedIngester(dataSource, NullLogger<OrderFeedIngester>.Instance);
        var result = await ingester.IngestFileAsync(c.Path, feed, null, CancellationToken.None);

        Assert.Null(result.Error);
        Assert.Equal(c.Lines, result.Counts.Read);
        Assert.Equal(c.Lines, result.Counts.Loaded);
        Assert.Equal(0, result.Counts.Quarantined);
        var f = feed.Name.Replace("'", "''", StringComparison.Ordinal);
        Assert.Equal(c.Orders, await dataSource.ScalarAsync<long>($"select count(*) from core.\"order\" where feed = '{f}'"));
        Assert.Equal(c.Lines, await dataSource.ScalarAsync<long>($"select count(*) from core.order_line where feed = '{f}'"));
        Assert.Equal(c.Customers, await dataSource.ScalarAsync<long>($"select count(*) from core.source_customer where source = 'orders:{f}'"));
        Assert.Equal(c.Revenue, await dataSource.ScalarAsync<decimal>($"select coalesce(sum(total_amount), 0) from core.\"order\" where feed = '{f}'"));
        Assert.Equal(c.CancelledLines, await dataSource.ScalarAsync<long>($"select count(*) from core.order_line where feed = '{f}' and status = 'cancelled'"));
        foreach (var (orderId, utc) in c.Times)
        {
            var expected = DateTime.Parse(utc, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal);
            var id = orderId.Replace("'", "''", StringComparison.Ordinal);
            Assert.Equal(expected, await dataSource.ScalarAsync<DateTime>($"select order_ts from core.\"order\" where feed = '{f}' and order_id = '{id}'"));
        }
    }
}

using System.Globalization;
using Crm.IntegrationTests.Infrastructure;
using Crm.Pipeline.Sources.Orders;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace Crm.IntegrationTests.Orders;

/// <summary>The real CDNOW sample loads through configuration alone (deploy/config/feeds/cdnow.json).</summary>
[Collection(PostgresCollection.Name)]
public sealed class CdnowFeedTests(PostgresCluster cluster)
{
    [Fact]
    public async Task CdnowSample_LoadsWithTheCustomerOrderAndLineCountsOfTheFile()
    {
        var file = TestData.CdnowSample;
        // Expected values straight from the file: field 2 is the customer, field 3 the day.
        var rows = File.ReadLines(file).Where(l => l.Trim().Length > 0)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        var customers = rows.Select(r => r[1]).Distinct().Count();
        var orders = rows.Select(r => r[1] + "-" + r[2]).Distinct().Count();
        var revenue = rows.Sum(r => decimal.Parse(r[4], CultureInfo.InvariantCulture));

        await using var dataSource = await cluster.CreateMigratedDatabaseAsync("cdnow");
        var feed = TestData.LoadFeed("cdnow");
        var ingester = new OrderFeedIngester(dataSource, NullLogger<OrderFeedIngester>.Instance);

        var result = await ingester.IngestFileAsync(file, feed, null, CancellationToken.None);

        Assert.Equal(rows.Count, result.Counts.Read);
        Assert.Equal(rows.Count, result.Counts.Loaded);
        Assert.Equal(0, result.Counts.Quarantined);
        Assert.Equal(customers, await dataSource.ScalarAsync<int>("select count(*) from core.source_customer"));
        Assert.Equal(orders, await dataSource.ScalarAsync<int>("select count(*) from core.\"order\""));
        Assert.Equal(rows.Count, await dataSource.ScalarAsync<int>("select count(*) from core.order_line"));
        Assert.Equal(revenue, await dataSource.ScalarAsync<decimal>("select sum(total_amount) from core.\"order\""));
        Assert.Equal(new DateTime(1997, 1, 1, 0, 0, 0, DateTimeKind.Utc),
            await dataSource.ScalarAsync<DateTime>("select min(order_ts) from core.\"order\" where source_customer_id = '0001'"));
    }
}

using System.Globalization;
using System.Text;
using Crm.IntegrationTests.Infrastructure;
using Crm.Pipeline.Sources.Orders;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Crm.IntegrationTests.Orders;

/// <summary>
/// Real platforms' export layouts load through configuration alone: each corpus file through its
/// sample feed in deploy/config/feeds (#17). One database holds every feed, each under its own name.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class OrderExportCorpusTests(PostgresCluster cluster) : IDisposable
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static NpgsqlDataSource? _shared;
    private readonly string _dir = Directory.CreateTempSubdirectory("crm-corpus-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private async Task<NpgsqlDataSource> DatabaseAsync()
    {
        await Gate.WaitAsync();
        try
        {
            return _shared ??= await cluster.CreateMigratedDatabaseAsync("corpus");
        }
        finally
        {
            Gate.Release();
        }
    }

    [Theory]
    [MemberData(nameof(OrderExportCorpus.Files), MemberType = typeof(OrderExportCorpus))]
    public async Task CorpusFile_LoadsThroughItsSampleFeed_WithTheFiguresOfTheFile(string file)
    {
        var c = OrderExportCorpus.Cases.Single(x => x.File == file);

        await OrderExportCorpus.LoadAndAssertAsync(await DatabaseAsync(), c, TestData.LoadFeed(c.Feed));
    }

    [Fact]
    public async Task CdnowMaster_WithItsLeadingSpaceHeaderAndCrlf_LoadsByNamedAndByPositionalColumns()
    {
        var path = Path.Combine(TestData.PublicData, "orders", "cdnow-master.txt");
        // Expected values straight from the file: after the header, field 1 is the customer, 2 the day, 4 the dollars.
        var rows = File.ReadAllLines(path).Skip(1).Where(l => l.Trim().Length > 0)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        var customers = rows.Select(r => r[0]).Distinct().Count();
        var orders = rows.Select(r => r[0] + "-" + r[1]).Distinct().Count();
        var revenue = rows.Sum(r => decimal.Parse(r[3], CultureInfo.InvariantCulture));
        Assert.StartsWith(" customer_id  date number_of_cds  dollar_value\r\n", File.ReadAllText(path), StringComparison.Ordinal);

        var named = TestData.LoadFeed("cdnow-master");
        var positional = TestData.LoadFeed("cdnow-master");
        positional.Name = "cdnow-master-positional";
        positional.Columns = new(StringComparer.OrdinalIgnoreCase) { ["customer_id"] = "#1", ["order_date"] = "#2", ["quantity"] = "#3", ["line_total"] = "#4" };
        var dataSource = await DatabaseAsync();
        foreach (var feed in new[] { named, positional })
        {
            var c = new OrderExportCorpus.Case("cdnow-master.txt", feed.Name, orders, rows.Count, customers, revenue, 0,
                ("00004-19970101", "1997-01-01T00:00:00Z"));
            await OrderExportCorpus.LoadAndAssertAsync(dataSource, c, feed);
        }
    }

    [Fact]
    public async Task AnEmptyAndAHeaderOnlyFile_AreLedgerUnitsWithZeroRowsAndAWarning()
    {
        var empty = Path.Combine(_dir, "empty.csv");
        var headerOnly = Path.Combine(_dir, "header.csv");
        await File.WriteAllBytesAsync(empty, []);
        await File.WriteAllTextAsync(headerOnly, "\uFEFFName,Email,Created at\r\n", new UTF8Encoding(false));
        var feed = TestData.LoadFeed("shopify");
        feed.Name = "shopify-empty";
        feed.Columns = new(StringComparer.OrdinalIgnoreCase) { ["order_id"] = "Name", ["email"] = "Email", ["order_date"] = "Created at" };
        var dataSource = await DatabaseAsync();
        var ingester = new OrderFeedIngester(dataSource, NullLogger<OrderFeedIngester>.Instance);

        var a = await ingester.IngestFileAsync(empty, feed, null, CancellationToken.None);
        var b = await ingester.IngestFileAsync(headerOnly, feed, null, CancellationToken.None);

        Assert.Equal("loaded", a.Outcome);
        Assert.Equal("the file is empty: no order rows", a.Warning);
        Assert.Equal("the file has a header line and no order rows", b.Warning);
        Assert.EndsWith("loaded: read 0, loaded 0, quarantined 0, duplicate 0; warning: the file has a header line and no order rows", b.ToString(), StringComparison.Ordinal);
        Assert.Equal(2, await dataSource.ScalarAsync<long>(
            $"select count(*) from ops.ingest_ledger where source = 'orders' and unit_key like 'shopify-empty:%' and read_count = 0 and detail->>'warning' is not null"));
    }

    [Fact]
    public async Task ABinaryFile_FailsAsNotAText_File_NamingNeitherTheMappingNorAColumn()
    {
        // The first bytes of an .xlsx workbook (a ZIP archive) under a .csv name.
        var path = Path.Combine(_dir, "orders_export.csv");
        await File.WriteAllBytesAsync(path, [0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00, 0x08, 0x00, 0x00, 0x00, 0x21, 0x00, 0x62, 0xEE, 0x9D, 0x68]);
        var dataSource = await DatabaseAsync();

        var result = await new OrderFeedIngester(dataSource, NullLogger<OrderFeedIngester>.Instance)
            .IngestFileAsync(path, TestData.LoadFeed("shopify"), null, CancellationToken.None);

        Assert.Equal("failed", result.Outcome);
        Assert.StartsWith("not a text file: a NUL byte at offset 5", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Columns", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnknownEncodingSetting_FailsTheFileWithTheSettingNamed_AndKeepsNothing()
    {
        var feed = TestData.LoadFeed("shopify");
        feed.Name = "shopify-bad-encoding";
        feed.Encoding = "latin-9x";
        var dataSource = await DatabaseAsync();

        var result = await new OrderFeedIngester(dataSource, NullLogger<OrderFeedIngester>.Instance)
            .IngestFileAsync(Path.Combine(TestData.PublicData, "orders", "shopify-orders.csv"), feed, null, CancellationToken.None);

        Assert.Equal("failed", result.Outcome);
        Assert.StartsWith("feed 'shopify-bad-encoding' Encoding 'latin-9x' is not an encoding .NET knows", result.Error, StringComparison.Ordinal);
        Assert.Equal(0, await dataSource.ScalarAsync<long>(
            "select count(*) from ops.ingest_ledger where unit_key like 'shopify-bad-encoding:%'"));
    }

    [Fact]
    public async Task AWindows1252File_ReadWithoutAnEncoding_NamesTheEncodingSetting()
    {
        var feed = TestData.LoadFeed("european-semicolon");
        feed.Name = "european-no-encoding";
        feed.Encoding = "auto";
        var dataSource = await DatabaseAsync();

        var result = await new OrderFeedIngester(dataSource, NullLogger<OrderFeedIngester>.Instance)
            .IngestFileAsync(Path.Combine(TestData.PublicData, "orders", "european-semicolon.csv"), feed, null, CancellationToken.None);

        // The header holds "Straße" and "Währung" in Windows-1252: not UTF-8, so the header cannot be read.
        Assert.Equal("failed", result.Outcome);
        Assert.Contains("Encoding", result.Error, StringComparison.Ordinal);
    }
}

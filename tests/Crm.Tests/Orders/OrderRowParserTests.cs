using Crm.Pipeline.Sources.Orders;

namespace Crm.Tests.Orders;

public sealed class OrderRowParserTests
{
    private static OrderFeedOptions CsvFeed() => new()
    {
        Name = "t",
        Columns = new(StringComparer.OrdinalIgnoreCase)
        {
            ["order_id"] = "id", ["order_date"] = "date", ["customer_id"] = "cust", ["quantity"] = "qty",
            ["unit_price"] = "price", ["status"] = "status", ["description"] = "desc",
        },
        TimeZone = "Europe/Berlin",
    };

    [Fact]
    public void Parse_ReadsQuotedFieldsAndConvertsLocalTimesToUtc()
    {
        var parser = new OrderRowParser(CsvFeed(), "csv");
        Assert.Null(parser.SetHeader("id,date,cust,qty,price,status,desc"));
        var lines = new List<OrderLine>();

        var error = parser.Parse("7,2026-07-01 12:00:00,C1,2,\"1,234.50\",paid,\"Tea, \"\"green\"\"\"", lines);

        Assert.Null(error);
        var line = Assert.Single(lines);
        Assert.Equal(new DateTime(2026, 7, 1, 10, 0, 0, DateTimeKind.Utc), line.OrderTsUtc); // CEST = UTC+2
        Assert.Equal(2469.00m, line.LineTotal);
        Assert.Equal("Tea, \"green\"", line.Description);
        Assert.Equal("ordered", line.Status);
    }

    [Theory]
    [InlineData("7,2026-07-01,C1,two,1.00,paid,x", "bad quantity")]
    [InlineData("7,yesterday,C1,1,1.00,paid,x", "bad date")]
    [InlineData(",2026-07-01,C1,1,1.00,paid,x", "missing order id")]
    [InlineData("7,2026-07-01,,1,1.00,paid,x", "missing customer id and email")]
    [InlineData("7,2026-07-01,C1,1", "wrong column count")]
    [InlineData("7,2026-07-01,C1,1,\"1.00,paid,x", "unterminated quoted field")]
    public void Parse_RejectsBadRowsWithAReason(string row, string reason)
    {
        var parser = new OrderRowParser(CsvFeed(), "csv");
        parser.SetHeader("id,date,cust,qty,price,status,desc");
        var lines = new List<OrderLine>();

        var error = parser.Parse(row, lines);

        Assert.NotNull(error);
        Assert.StartsWith(reason, error, StringComparison.Ordinal);
        Assert.Empty(lines);
    }

    [Fact]
    public void Parse_UnderstandsCancelledAndReturnedLines()
    {
        var parser = new OrderRowParser(CsvFeed(), "csv");
        parser.SetHeader("id,date,cust,qty,price,status,desc");
        var lines = new List<OrderLine>();

        parser.Parse("1,2026-01-01,C,1,5,Cancelled by customer,x", lines);
        parser.Parse("2,2026-01-01,C,-1,5,,x", lines);

        Assert.Equal(["cancelled", "returned"], lines.Select(l => l.Status));
        Assert.Equal(-5m, lines[1].LineTotal);
    }

    [Fact]
    public void Parse_ExpandsJsonLineItemsAndHonoursADecimalComma()
    {
        var feed = new OrderFeedOptions
        {
            Name = "j",
            DecimalSeparator = ",",
            Columns = new(StringComparer.OrdinalIgnoreCase)
            {
                ["order_id"] = "id", ["order_date"] = "ts", ["email"] = "customer.email",
                ["sku"] = "items[].sku", ["quantity"] = "items[].qty", ["unit_price"] = "items[].price",
            },
        };
        var parser = new OrderRowParser(feed, "jsonl");
        var lines = new List<OrderLine>();

        var error = parser.Parse("""{"id":"o1","ts":"2026-03-01T08:00:00Z","customer":{"email":"A@x.org"},"items":[{"sku":"s1","qty":2,"price":"3,50"},{"sku":"s2","qty":1,"price":"10"}]}""", lines);

        Assert.Null(error);
        Assert.Equal(["s1", "s2"], lines.Select(l => l.Sku));
        Assert.Equal([7.00m, 10m], lines.Select(l => l.LineTotal));
        Assert.All(lines, l => Assert.Equal("A@x.org", l.Email));
    }

    [Fact]
    public void Parse_BuildsTheOrderIdFromATemplate_ForWhitespaceSeparatedLogs()
    {
        var feed = new OrderFeedOptions
        {
            Name = "cdnow",
            HasHeader = false,
            Columns = new(StringComparer.OrdinalIgnoreCase) { ["customer_id"] = "#2", ["order_date"] = "#3", ["quantity"] = "#4", ["line_total"] = "#5" },
            OrderIdTemplate = "{customer_id}-{order_date}",
            DateFormats = ["yyyyMMdd"],
        };
        var parser = new OrderRowParser(feed, "whitespace");
        var lines = new List<OrderLine>();

        Assert.Null(parser.Parse(" 00004 0001 19970118  2   29.73", lines));
        Assert.Equal("0001-19970118", lines[0].OrderId);
        Assert.Equal(29.73m, lines[0].LineTotal);
        Assert.Equal("wrong column count: expected 5, got 4", parser.Parse(" 00004 0001 19970118  2", lines));
    }
}

using Crm.Pipeline.Sources.Orders;

namespace Crm.Tests.Orders;

/// <summary>One test per parsing rule real exports need (#17); expected values worked out by hand.</summary>
public sealed class OrderParsingRuleTests
{
    private static OrderFeedOptions Feed(string zone = "UTC", params string[] dateFormats) => new()
    {
        Name = "t",
        Columns = new(StringComparer.OrdinalIgnoreCase)
        {
            ["order_id"] = "id", ["order_date"] = "date", ["customer_id"] = "cust", ["quantity"] = "qty",
            ["unit_price"] = "price", ["status"] = "status",
        },
        TimeZone = zone,
        DateFormats = [.. dateFormats],
    };

    private static OrderLine One(OrderFeedOptions feed, string row, string header = "id,date,cust,qty,price,status")
    {
        var parser = new OrderRowParser(feed, "csv");
        Assert.Null(parser.SetHeader(header));
        var lines = new List<OrderLine>();
        Assert.Null(parser.Parse(row, lines));
        return Assert.Single(lines);
    }

    private static string? Reject(OrderFeedOptions feed, string row, DateTime? arrived = null)
    {
        var parser = new OrderRowParser(feed, "csv", arrived);
        Assert.Null(parser.SetHeader("id,date,cust,qty,price,status"));
        var lines = new List<OrderLine>();
        var reason = parser.Parse(row, lines);
        Assert.Empty(lines);
        return reason;
    }

    [Fact]
    public void AnOffsetInTheValueWins_OverTheFeedsTimeZone()
    {
        // Shopify's "Created at": 14:22:10 at -05:00 is 19:22:10 UTC, whatever the feed's zone says.
        var feed = Feed("America/New_York", "yyyy-MM-dd HH:mm:ss zzz");

        var line = One(feed, "1001,2024-03-05 14:22:10 -0500,C1,1,10.00,paid");

        Assert.Equal(new DateTime(2024, 3, 5, 19, 22, 10, DateTimeKind.Utc), line.OrderTsUtc);
        Assert.Equal(DateTimeKind.Utc, line.OrderTsUtc.Kind);
    }

    [Theory]
    [InlineData("2024-03-05T14:22:10+01:00", 13)] // ISO 8601 with an offset: the offset wins
    [InlineData("2024-03-05T14:22:10Z", 14)]
    [InlineData("2024-03-05 14:22:10", 19)] // no offset: New York in March before the change is UTC-5
    public void IsoValues_UseTheirOffset_OrElseTheFeedsZone(string value, int utcHour)
    {
        var line = One(Feed("America/New_York"), $"1,{value},C1,1,1.00,paid");

        Assert.Equal(new DateTime(2024, 3, 5, utcHour, 22, 10, DateTimeKind.Utc), line.OrderTsUtc);
    }

    [Fact]
    public void ATimeInTheSpringGap_IsReadWithTheOffsetBeforeTheChange()
    {
        // New York skipped 02:00-03:00 on 2024-03-10; 02:30 read at UTC-5 (EST) is 07:30 UTC.
        var line = One(Feed("America/New_York", "yyyy-MM-dd HH:mm"), "1,2024-03-10 02:30,C1,1,1.00,paid");

        Assert.Equal(new DateTime(2024, 3, 10, 7, 30, 0, DateTimeKind.Utc), line.OrderTsUtc);
    }

    [Fact]
    public void ATimeInTheAutumnOverlap_IsReadAsTheFirstOfTheTwo()
    {
        // New York lived 01:00-02:00 twice on 2024-11-03; the first, at UTC-4 (EDT), is 05:30 UTC.
        var line = One(Feed("America/New_York", "yyyy-MM-dd HH:mm"), "1,2024-11-03 01:30,C1,1,1.00,paid");

        Assert.Equal(new DateTime(2024, 11, 3, 5, 30, 0, DateTimeKind.Utc), line.OrderTsUtc);
    }

    [Fact]
    public void CarryDown_FillsAnOrdersLaterRowsFromItsFirstRow()
    {
        var feed = Feed();
        feed.Columns["email"] = "email";
        feed.CarryDown = true;
        var parser = new OrderRowParser(feed, "csv");
        Assert.Null(parser.SetHeader("id,date,cust,email,qty,price,status"));
        var lines = new List<OrderLine>();

        Assert.Null(parser.Parse("#1001,2024-01-02 10:00,C7,a@example.com,1,5.00,paid", lines));
        Assert.Null(parser.Parse("#1001,,,,2,3.00,", lines));
        Assert.Null(parser.Parse("#1002,2024-01-03 11:00,C8,b@example.com,1,1.00,refunded", lines));

        Assert.Equal(3, lines.Count);
        Assert.Equal("C7", lines[1].CustomerId);
        Assert.Equal("a@example.com", lines[1].Email);
        Assert.Equal(new DateTime(2024, 1, 2, 10, 0, 0, DateTimeKind.Utc), lines[1].OrderTsUtc);
        Assert.Equal("ordered", lines[1].Status);
        Assert.Equal(6.00m, lines[1].LineTotal);
        Assert.Equal("returned", lines[2].Status);
    }

    [Fact]
    public void WithoutCarryDown_AnOrdersLaterRowsLackTheirDate()
    {
        var feed = Feed();
        var parser = new OrderRowParser(feed, "csv");
        Assert.Null(parser.SetHeader("id,date,cust,qty,price,status"));
        var lines = new List<OrderLine>();
        Assert.Null(parser.Parse("#1001,2024-01-02 10:00,C7,1,5.00,paid", lines));

        Assert.Equal("missing customer id and email", parser.Parse("#1001,,,2,3.00,", lines));
    }

    [Fact]
    public void NameColumns_JoinFirstAndLastName()
    {
        var feed = Feed();
        feed.NameColumns = ["Billing First Name", "Billing Last Name"];

        var both = One(feed, "1,2024-01-01,C1,1,1.00,paid, Ana ,Lima", "id,date,cust,qty,price,status,Billing First Name,Billing Last Name");
        var lastOnly = One(feed, "1,2024-01-01,C1,1,1.00,paid,,Lima", "id,date,cust,qty,price,status,Billing First Name,Billing Last Name");

        Assert.Equal("Ana Lima", both.Name);
        Assert.Equal("Lima", lastOnly.Name);
    }

    [Theory]
    [InlineData(",", null, "\"1.249,00\"", 1249.00)]
    [InlineData(",", ".", "\"12.345.678,90\"", 12345678.90)]
    [InlineData(".", ",", "\"1,249.50\"", 1249.50)]
    [InlineData(",", " ", "\"1\u00A0249,50\"", 1249.50)] // a spreadsheet's no-break space
    [InlineData(".", "'", "1'249.50", 1249.50)] // Swiss
    public void ThousandsSeparators_AreRead(string decimalSeparator, string? thousands, string price, double expected)
    {
        var feed = Feed();
        feed.DecimalSeparator = decimalSeparator;
        feed.ThousandsSeparator = thousands;

        var line = One(feed, $"1,2024-01-01,C1,1,{price},paid");

        Assert.Equal((decimal)expected, line.UnitPrice);
    }

    [Fact]
    public void AnEmptyThousandsSeparator_RejectsGroupedNumbers()
    {
        var feed = Feed();
        feed.ThousandsSeparator = "";

        Assert.StartsWith("bad unit price", Reject(feed, "1,2024-01-01,C1,1,\"1,249.00\",paid"), StringComparison.Ordinal);
    }

    [Fact]
    public void WhitespaceHeaderWithALeadingSpace_MapsNamedAndPositionalColumns()
    {
        // The CDNOW master file's header line as the lifetimes package ships it.
        const string header = " customer_id  date number_of_cds  dollar_value";
        var named = new OrderFeedOptions
        {
            Name = "m",
            Columns = new(StringComparer.OrdinalIgnoreCase) { ["customer_id"] = "customer_id", ["order_date"] = "date", ["quantity"] = "number_of_cds", ["line_total"] = "dollar_value" },
            OrderIdTemplate = "{customer_id}-{order_date}",
            DateFormats = ["yyyyMMdd"],
        };
        var positional = new OrderFeedOptions
        {
            Name = "p",
            Columns = new(StringComparer.OrdinalIgnoreCase) { ["customer_id"] = "#1", ["order_date"] = "#2", ["quantity"] = "#3", ["line_total"] = "#4" },
            OrderIdTemplate = "{customer_id}-{order_date}",
            DateFormats = ["yyyyMMdd"],
        };

        foreach (var feed in new[] { named, positional })
        {
            var parser = new OrderRowParser(feed, "whitespace");
            Assert.True(parser.NeedsHeader);
            Assert.Null(parser.SetHeader("\uFEFF" + header));
            var lines = new List<OrderLine>();
            Assert.Null(parser.Parse("    1 19970101     1   11.77", lines));
            var line = Assert.Single(lines);
            Assert.Equal("1-19970101", line.OrderId);
            Assert.Equal(11.77m, line.LineTotal);
            Assert.Equal(1m, line.Quantity);
        }
    }

    [Fact]
    public void Headers_AreTrimmedAndMatchedWithoutRegardToCase()
    {
        var line = One(Feed(), "1,2024-01-01,C1,2,1.50,paid", "\uFEFF ID , Date,CUST,qty ,Price,status");

        Assert.Equal(3.00m, line.LineTotal);
    }

    [Fact]
    public void AMissingColumn_IsNamedWithTheColumnsTheHeaderHas()
    {
        var parser = new OrderRowParser(Feed(), "csv");

        var error = parser.SetHeader("Name,Email");

        Assert.Equal("header has no column 'id' (mapped to order_id); it has 'Name', 'Email'", error);
    }

    [Fact]
    public void ImplausibleValues_AreRejectedWithAReason()
    {
        var feed = Feed("UTC", "yyyy-MM-dd");
        var arrived = new DateTime(2024, 6, 1, 12, 0, 0, DateTimeKind.Utc);

        Assert.StartsWith("implausible order date '2024-06-04'", Reject(feed, "1,2024-06-04,C1,1,1.00,ordered", arrived), StringComparison.Ordinal);
        Assert.StartsWith("implausible order date '1969-12-31'", Reject(feed, "1,1969-12-31,C1,1,1.00,ordered", arrived), StringComparison.Ordinal);
        Assert.StartsWith("implausible unit price '-1.00'", Reject(feed, "1,2024-06-01,C1,1,-1.00,ordered", arrived), StringComparison.Ordinal);
        Assert.StartsWith("implausible quantity '-2'", Reject(feed, "1,2024-06-01,C1,-2,1.00,paid", arrived), StringComparison.Ordinal);
        // Two days after arrival is within the default margin.
        var parser = new OrderRowParser(feed, "csv", arrived);
        parser.SetHeader("id,date,cust,qty,price,status");
        var lines = new List<OrderLine>();
        Assert.Null(parser.Parse("1,2024-06-03,C1,1,1.00,ordered", lines));
    }

    [Fact]
    public void ANegativePaidLine_IsAReturn_WhenTheFeedSaysSo()
    {
        var feed = Feed();
        feed.NegativeQuantityIsReturn = true;
        feed.StatusMap["settled"] = "ordered";

        Assert.Equal("returned", One(feed, "1,2024-06-01,C1,-2,1.00,paid").Status);
        Assert.Equal("returned", One(feed, "1,2024-06-01,C1,-2,1.00,settled").Status);
        Assert.Equal(-2.00m, One(feed, "1,2024-06-01,C1,-2,1.00,").LineTotal);
    }

    [Fact]
    public void GuestSalesAndCancelledInvoicePrefixes_FollowTheFeedsSettings()
    {
        var feed = Feed();
        feed.AllowGuestOrders = true;
        feed.CancelledOrderIdPrefix = "C";

        var guest = One(feed, "536365,2024-06-01,,6,2.55,");
        var cancelled = One(feed, "C536379,2024-06-01,14527,-1,27.50,");

        Assert.Null(guest.CustomerId);
        Assert.Null(guest.Email);
        Assert.Equal(15.30m, guest.LineTotal);
        Assert.Equal("cancelled", cancelled.Status);
        Assert.Equal(-27.50m, cancelled.LineTotal);
    }
}

using System.Text;
using Crm.Pipeline.Sources.Orders;
using Crm.Tests.Sources;

namespace Crm.Tests.Orders;

/// <summary><c>crm feeds detect</c> on files of no known layout, and on bytes that are no file at all (#17).</summary>
public sealed class FeedDetectorTests
{
    private static FeedProposal Detect(string text, string? zone = null, Encoding? encoding = null) =>
        FeedDetector.Detect((encoding ?? new UTF8Encoding(false)).GetBytes(text), "orders.csv", null, zone);

    [Fact]
    public void AGermanSemicolonFile_IsMappedByItsHeaderNames_WithDayFirstDatesAndADecimalComma()
    {
        var p = Detect(
            "Bestellnummer;Bestelldatum;Kundennummer;E-Mail;Artikelbezeichnung;Menge;Einzelpreis;Währung\r\n" +
            "1001;05.03.2024 14:22;K1;a@example.de;Tee;2;1.249,50;EUR\r\n" +
            "1002;13.03.2024 09:00;K2;b@example.de;Kaffee;1;3,20;EUR\r\n",
            "Europe/Berlin");

        var f = p.Feed;
        Assert.Equal("csv", f.Format);
        Assert.Equal(";", f.Delimiter);
        Assert.True(f.HasHeader);
        Assert.Equal("Bestellnummer", f.Columns["order_id"]);
        Assert.Equal("Bestelldatum", f.Columns["order_date"]);
        Assert.Equal("Kundennummer", f.Columns["customer_id"]);
        Assert.Equal("E-Mail", f.Columns["email"]);
        Assert.Equal("Menge", f.Columns["quantity"]);
        Assert.Equal("Einzelpreis", f.Columns["unit_price"]);
        Assert.Equal("Währung", f.Columns["currency"]);
        Assert.Equal(["dd.MM.yyyy HH:mm"], f.DateFormats);
        Assert.Equal(",", f.DecimalSeparator);
        Assert.Equal(".", f.ThousandsSeparator);
        Assert.Equal("Europe/Berlin", f.TimeZone);
        // 05.03.2024 14:22 in Berlin (CET, +1) is 13:22 UTC; 2 × 1249.50.
        Assert.Equal("1001  2024-03-05 13:22:00Z  customer K1  1 line(s)  2499.00 EUR  ordered", p.FirstOrders[0]);
        Assert.Empty(p.Quarantined);
    }

    [Fact]
    public void DayAndMonth_AreDecidedFromTheValues_AndAnUndecidableOrderIsListedAsUnsure()
    {
        var monthFirst = Detect("order id,date,email,total\n1,12/28/2024,a@example.com,5.00\n2,01/02/2025,b@example.com,6.00\n");
        var ambiguous = Detect("order id,date,email,total\n1,03/04/2024,a@example.com,5.00\n2,01/02/2025,b@example.com,6.00\n");

        Assert.Equal(["M/d/yyyy"], monthFirst.Feed.DateFormats);
        Assert.DoesNotContain(monthFirst.Unsure, u => u.StartsWith("dates:", StringComparison.Ordinal));
        Assert.Contains(ambiguous.Unsure, u => u.StartsWith("dates: every sampled value has day and month ≤ 12", StringComparison.Ordinal));
    }

    [Fact]
    public void ColumnsWithoutKnownNames_ArePlacedByTheirValues_AndTheRestListed()
    {
        var p = Detect("when,who,amount,colour\n2024-03-05T10:00:00Z,a@example.com,10.00,red\n2024-03-06T11:00:00+01:00,b@example.com,5.50,blue\n");

        Assert.Equal("who", p.Feed.Columns["email"]);
        Assert.Equal("when", p.Feed.Columns["order_date"]);
        Assert.Equal("amount", p.Feed.Columns["line_total"]);
        Assert.Equal("{email}-{order_date}", p.Feed.OrderIdTemplate);
        Assert.Equal(["colour"], p.Unplaced);
        Assert.Contains(p.Unsure, u => u.StartsWith("no currency column", StringComparison.Ordinal));
        // 11:00 at +01:00 is 10:00 UTC: the offset in the value wins.
        Assert.Contains(p.FirstOrders, o => o.Contains("2024-03-06 10:00:00Z", StringComparison.Ordinal));
    }

    [Fact]
    public void AKnownLayoutUnderAnotherFileName_GetsAPatternThatPicksTheFileUp()
    {
        var bytes = File.ReadAllBytes(Repo.File("tests", "data", "orders", "shopify-orders.csv"));

        var renamed = FeedDetector.Detect(bytes, "/srv/drop/shopify-orders.csv", null, null);
        var asExported = FeedDetector.Detect(bytes, "/srv/drop/orders_export_1.csv", null, null);

        // Shopify names its export orders_export_1.csv; the sample feed's pattern is made for that name.
        Assert.Equal("orders_export*.csv", asExported.Feed.Pattern);
        Assert.DoesNotContain(asExported.Unsure, u => u.StartsWith("file pattern:", StringComparison.Ordinal));
        Assert.Equal("*.csv", renamed.Feed.Pattern);
        Assert.Contains(renamed.Unsure, u => u.StartsWith("file pattern: the layout's 'orders_export*.csv' would not pick up 'shopify-orders.csv'", StringComparison.Ordinal));
    }

    [Fact]
    public void AWindows1252File_IsReadAsWindows1252_AndSaysItWasUnsure()
    {
        var p = Detect("Nummer;Datum;E-Mail;Betrag\r\n1;05.03.2024;jürgen@example.de;12,50\r\n", encoding: Encoding.Latin1);

        Assert.Equal("windows-1252", p.Feed.Encoding);
        Assert.Contains(p.Recognised, r => r.StartsWith("encoding: not valid UTF-8, read as Windows-1252", StringComparison.Ordinal));
        Assert.Contains(p.FirstOrders, o => o.Contains("jürgen@example.de", StringComparison.Ordinal));
    }

    [Fact]
    public void RandomBytesAndTruncatedExports_EndInAProposalOrAOneLineReason()
    {
        var random = new Random(17);
        var inputs = new List<byte[]>();
        for (var i = 0; i < 300; i++)
        {
            var bytes = new byte[random.Next(0, 3000)];
            random.NextBytes(bytes);
            inputs.Add(bytes);
        }

        foreach (var file in Directory.GetFiles(Repo.File("tests", "data", "orders")).Where(f => !f.EndsWith(".md", StringComparison.Ordinal)))
        {
            var whole = File.ReadAllBytes(file);
            for (var i = 0; i < 20; i++)
            {
                inputs.Add(whole[..random.Next(0, whole.Length)]);
            }
        }

        foreach (var bytes in inputs)
        {
            try
            {
                var p = FeedDetector.Detect(bytes, "export.csv", null, null);
                Assert.NotEmpty(p.Recognised);
                Assert.False(string.IsNullOrWhiteSpace(p.Feed.Name));
            }
            catch (InvalidDataException e)
            {
                Assert.False(string.IsNullOrWhiteSpace(e.Message));
                Assert.DoesNotContain('\n', e.Message);
            }
        }
    }
}

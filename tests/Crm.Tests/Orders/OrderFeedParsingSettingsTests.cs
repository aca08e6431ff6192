using Crm.Pipeline.Sources.Orders;

namespace Crm.Tests.Orders;

/// <summary>The reading settings of a feed are checked with the setting and its value named (#17).</summary>
public sealed class OrderFeedParsingSettingsTests
{
    private static List<string> Check(OrderFeedOptions feed)
    {
        var failures = new List<string>();
        OrderFeedParsingSettings.Check(feed, "Crm:Orders:Feeds:0:", failures);
        return failures;
    }

    [Theory]
    [InlineData("auto")]
    [InlineData("windows-1252")]
    [InlineData("ISO-8859-1")]
    [InlineData("utf-16")]
    [InlineData("gb18030")]
    [InlineData("shift_jis")]
    public void KnownEncodings_Pass(string encoding)
    {
        Assert.Empty(Check(new OrderFeedOptions { Encoding = encoding }));
    }

    [Fact]
    public void AnUnknownEncoding_IsNamedWithItsSettingPath()
    {
        var failure = Assert.Single(Check(new OrderFeedOptions { Encoding = "latin-9x" }));

        Assert.StartsWith("Crm:Orders:Feeds:0:Encoding 'latin-9x' is not an encoding .NET knows; use 'auto' or", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void ThousandsSeparators_MustBeAKnownMarkOtherThanTheDecimalSeparator()
    {
        Assert.Empty(Check(new OrderFeedOptions { DecimalSeparator = ",", ThousandsSeparator = "." }));
        Assert.Empty(Check(new OrderFeedOptions { DecimalSeparator = ".", ThousandsSeparator = "" }));
        Assert.Equal(
            "Crm:Orders:Feeds:0:ThousandsSeparator 'x' must be ',', '.', \"'\", ' ' (a space) or '' (none).",
            Assert.Single(Check(new OrderFeedOptions { ThousandsSeparator = "x" })));
        Assert.Equal(
            "Crm:Orders:Feeds:0:ThousandsSeparator ',' is also the DecimalSeparator; set one of them to the other mark.",
            Assert.Single(Check(new OrderFeedOptions { DecimalSeparator = ",", ThousandsSeparator = "," })));
    }

    [Fact]
    public void BlankColumnsAndAnOutOfRangeMargin_AreEachReported()
    {
        var failures = Check(new OrderFeedOptions
        {
            TimeColumn = " ",
            NameColumns = ["Billing First Name", ""],
            FutureDateMarginDays = -1,
            CancelledOrderIdPrefix = "",
        });

        Assert.Equal(
            [
                "Crm:Orders:Feeds:0:TimeColumn is empty; name the column holding the time of day, or remove the setting.",
                "Crm:Orders:Feeds:0:NameColumns:1 is empty; name a column (e.g. 'Billing First Name').",
                "Crm:Orders:Feeds:0:FutureDateMarginDays must be 0-36500 (got -1).",
                "Crm:Orders:Feeds:0:CancelledOrderIdPrefix is blank; set the prefix (e.g. 'C') or remove the setting.",
            ],
            failures);
    }
}

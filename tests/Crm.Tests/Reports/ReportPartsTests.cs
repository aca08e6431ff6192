using System.Text;
using Crm.Pipeline.Reports;

namespace Crm.Tests.Reports;

public sealed class ReportPartsTests
{
    [Fact]
    public void ChineseLabels_HaveEveryEnglishKey()
    {
        var en = ReportLabels.Load("en");
        var zh = ReportLabels.Load("zh");

        Assert.Empty(en.Keys.Except(zh.Keys));
        Assert.Contains("zh", ReportLabels.Available);
    }

    [Theory]
    [InlineData("abc", 3)]
    [InlineData("客户", 4)]
    [InlineData("王小明 €12", 10)]
    [InlineData("e\u0301", 1)]
    [InlineData("", 0)]
    public void TextWidth_CountsWideCharactersTwiceAndCombiningMarksNotAtAll(string text, int expected)
    {
        Assert.Equal(expected, ReportText.Width(text));
    }

    [Fact]
    public void TrendBuckets_AreNamedInTheRecipientsLanguage()
    {
        var week = new TrendPoint(new DateOnly(2026, 3, 9), new DateOnly(2026, 3, 16), null!, null!);
        var month = new TrendPoint(new DateOnly(2026, 3, 1), new DateOnly(2026, 4, 1), null!, null!);
        var zh = ReportLabels.For("zh").Culture;
        var en = ReportLabels.For("en").Culture;

        Assert.Equal(("Mar 9", "Mar 26"), (ReportCharts.BucketLabel(week, "weekly", en), ReportCharts.BucketLabel(month, "monthly", en)));
        Assert.Equal(("3月9日", "2026年3月"), (ReportCharts.BucketLabel(week, "weekly", zh), ReportCharts.BucketLabel(month, "monthly", zh)));
        Assert.Equal(("03-09", "2026-03"), (ReportCharts.ChartBucketLabel(week, "weekly", zh), ReportCharts.ChartBucketLabel(month, "monthly", zh)));
    }

    [Fact]
    public void TextGrid_AlignsChineseCellsByDisplayWidth()
    {
        var sb = new StringBuilder();

        ReportText.Grid(sb, ["客户", "收入"], [["Ana", "€5"], ["王小明", "€12"]]);

        // The first column is 6 display columns wide (王小明), the second 4 (收入); two spaces between.
        Assert.Equal(["客户    收入", "Ana       €5", "王小明   €12", ""], sb.ToString().Split(Environment.NewLine)[..4]);
    }

    [Fact]
    public void Labels_ForAnUnknownLanguage_Throw()
    {
        Assert.Throws<InvalidOperationException>(() => ReportLabels.For("xx"));
    }

    [Fact]
    public void MessageId_IsStablePerReportPeriodAndRecipient()
    {
        var a = ReportComposer.MessageId("r", "monthly:2026-02-01..2026-03-01", "Maria@X.test", "reports@crm.test");
        var b = ReportComposer.MessageId("r", "monthly:2026-02-01..2026-03-01", " maria@x.test", "reports@crm.test");
        var c = ReportComposer.MessageId("r", "monthly:2026-03-01..2026-04-01", "maria@x.test", "reports@crm.test");

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.EndsWith("@crm.test", a, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("=SUM(A1)", "'=SUM(A1)")]
    [InlineData("line\nbreak", "\"line\nbreak\"")]
    [InlineData("", "")]
    public void CsvQuote_QuotesDelimitersAndDefusesFormulas(string value, string expected)
    {
        Assert.Equal(expected, AtRiskCsv.Quote(value));
    }

    [Fact]
    public void Csv_StartsWithABomAndTheHeader()
    {
        var bytes = AtRiskCsv.Write([], ReportLabels.For("en"), new ReportFormat(ReportLabels.For("en"), "$"));
        var text = Encoding.UTF8.GetString(bytes);

        Assert.Equal(Encoding.UTF8.GetPreamble(), bytes[..3]);
        Assert.StartsWith("\uFEFFrank,customer_id,customer,email,phone", text, StringComparison.Ordinal);
    }

    [Fact]
    public void ChurnDrivers_KeepThoseThatRaiseTheRisk_StrongestFirst()
    {
        var drivers = ChurnDrivers.Parse(
            """[{"feature":"a","contribution":0.1,"direction":"up"},{"feature":"b","contribution":0.5},{"feature":"c","contribution":-0.3,"direction":"down"}]""");

        Assert.Equal(["b", "a"], drivers);
        Assert.Empty(ChurnDrivers.Parse(null));
        Assert.Equal(["x", "y"], ChurnDrivers.Parse("""["x","y"]"""));
    }

    [Fact]
    public void Delta_ChurnGoingUpIsBadNews_InPercentagePoints()
    {
        var format = new ReportFormat(ReportLabels.For("en"), "$");

        var churn = format.Delta(0.25, 0.20, isRate: true, upIsGood: false);
        var revenue = format.Delta(150, 100, isRate: false, upIsGood: true);
        var fromZero = format.Delta(5, 0, isRate: false, upIsGood: true);

        Assert.Equal("▲ +5.0 pp", churn.Text);
        Assert.Equal(-1, churn.Tone);
        Assert.Equal("▲ +50.0%", revenue.Text);
        Assert.Equal(1, revenue.Tone);
        Assert.Equal("new", fromZero.Text);
    }

    [Fact]
    public void Validator_NamesEveryBadSetting()
    {
        var options = new ReportsOptions
        {
            Recipients = [new RecipientOptions { Address = "nope", TimeZone = "Mars/Olympus", Cadence = "hourly", Hour = 25, Language = "xx" }],
            Smtp = new SmtpOptions { Host = "smtp.example.com", Security = "maybe", User = "u" },
            RiskRiserRows = 0,
            AtRiskRows = 5000,
        };

        var result = new ReportsOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        var text = string.Join("\n", result.Failures!);
        foreach (var setting in new[] { "Recipients:0:Address", "Recipients:0:TimeZone", "Recipients:0:Cadence", "Recipients:0:Hour", "Recipients:0:Language", "Smtp:Security", "Smtp:Password", "RiskRiserRows", "AtRiskRows" })
        {
            Assert.Contains(setting, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void TrendBuckets_ForAMonthlyReport_AreTheTwelveMonthsEndingWithIt()
    {
        var p = new ReportPeriod("monthly", new DateOnly(2026, 3, 1), new DateOnly(2026, 4, 1), default);

        var buckets = ReportQueries.TrendBuckets(p);

        Assert.Equal(12, buckets.Count);
        Assert.Equal((new DateOnly(2025, 4, 1), new DateOnly(2025, 5, 1)), buckets[0]);
        Assert.Equal((new DateOnly(2026, 3, 1), new DateOnly(2026, 4, 1)), buckets[^1]);
    }
}

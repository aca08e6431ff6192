using System.Text.Json;
using Crm.Pipeline.Churn;
using Crm.Pipeline.Features;
using Crm.Pipeline.Reports;

namespace Crm.Tests.Reports;

/// <summary>The at-risk list's drivers in words (#22): the model's stored contributions, the customer's figures filled in.</summary>
public sealed class DriverWordsTests
{
    private static readonly DateTimeOffset ScoredAt = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    // As the score stage stores them: strongest by |contribution| is recency, then spend, then mail; the order
    // count lowers the risk and is no reason to call.
    private const string Stored =
        """
        [{"feature":"recency_days","value":140.4,"contribution":0.91,"direction":"raises","context":{"avg_interpurchase_days":29.6,"orders_all":6}},
         {"feature":"orders_all","value":6,"contribution":-0.2,"direction":"lowers"},
         {"feature":"email_days_since_contact","value":100,"contribution":0.35,"direction":"raises"},
         {"feature":"spend_trend","value":-0.25,"contribution":0.52,"direction":"raises"}]
        """;

    [Fact]
    public void Sentences_FromStoredContributions_StrongestFirstWithTheCustomersFigures()
    {
        var en = ReportLabels.For("en");
        var facts = ChurnDrivers.ParseFacts(Stored);

        var words = DriverWords.Sentences(facts, ChurnDrivers.Parse(Stored), ScoredAt, en, new ReportFormat(en, "€"), 3);

        // Spend trend −0.25 = (a − b) / (a + b), so a = 0.6 b: down 40%. 2026-06-01 − 100 days = 2026-02-21.
        Assert.Equal(
            ["no order for 140 days, usually every 30", "spend in the last 6 months down 40% on the 6 months before", "no mail with them since February 2026"],
            words);
    }

    [Fact]
    public void Sentences_InChinese_UseTheChineseTemplatesAndDates()
    {
        var zh = ReportLabels.For("zh");

        var words = DriverWords.Sentences(ChurnDrivers.ParseFacts(Stored), [], ScoredAt, zh, new ReportFormat(zh, "¥"), 2);

        Assert.Equal(["已 140 天未下单，平时每 30 天一单", "近 6 个月消费比之前 6 个月下降 40%"], words);
    }

    [Fact]
    public void Sentence_BgNbdChampion_SaysTheRhythmBehindItsProbability()
    {
        var en = ReportLabels.For("en");
        var facts = ChurnDrivers.ParseFacts(
            """[{"feature":"bgnbd_p_no_purchase","value":0.853,"contribution":1.2,"direction":"raises","context":{"recency_days":212,"avg_interpurchase_days":45,"orders_all":3}}]""");

        var words = DriverWords.Sentences(facts, [], ScoredAt, en, new ReportFormat(en, "€"), 3);

        Assert.Equal(["no order for 212 days, usually every 45"], words);
    }

    [Fact]
    public void Sentence_WithoutItsFigures_FallsBackToTheShortLabel()
    {
        var en = ReportLabels.For("en");
        var format = new ReportFormat(en, "€");

        Assert.Equal(["days since last order"], DriverWords.Sentences(ChurnDrivers.ParseFacts("""["recency_days"]"""), [], ScoredAt, en, format, 3));
        Assert.Equal("clicked none of 12 campaign mails in the last year",
            DriverWords.Sentence(new DriverFact("campaign_click_rate_365", 0, new Dictionary<string, double> { ["campaign_sends_365"] = 12 }), DateOnly.FromDateTime(ScoredAt.UtcDateTime), en, format));
        Assert.Equal("only one order so far, so no usual rhythm yet",
            DriverWords.Sentence(new DriverFact("interpurchase_cv", null, new Dictionary<string, double>()), DateOnly.FromDateTime(ScoredAt.UtcDateTime), en, format));
        // A one-order customer's missing gap and BG/NBD's probability say the same thing, so it is said once.
        Assert.Equal(["one order so far, 12 days ago"], DriverWords.Sentences(ChurnDrivers.ParseFacts(
            """[{"feature":"bgnbd_p_no_purchase","value":0.66,"contribution":0.5,"context":{"recency_days":12.2,"orders_all":1}},{"feature":"interpurchase_cv","contribution":0.3,"context":{"recency_days":12.2,"orders_all":1}}]"""),
            [], ScoredAt, en, format, 3));
        Assert.Equal("one order so far, 12 days ago",
            DriverWords.Sentence(new DriverFact("bgnbd_p_no_purchase", 0.66, new Dictionary<string, double> { ["recency_days"] = 12.2, ["orders_all"] = 1 }), DateOnly.FromDateTime(ScoredAt.UtcDateTime), en, format));
        Assert.Equal("no web visit on record",
            DriverWords.Sentence(new DriverFact("web_days_since_visit", null, new Dictionary<string, double>()), DateOnly.FromDateTime(ScoredAt.UtcDateTime), en, format));
    }

    [Fact]
    public void Attach_ThenStore_GivesTheReportTheValuesItsSentenceNeeds()
    {
        var row = new float[FeatureColumns.All.Count];
        Array.Fill(row, float.NaN);
        row[Index("recency_days")] = 61;
        row[Index("avg_interpurchase_days")] = 20;
        row[Index("orders_all")] = 4;
        row[Index("web_sessions_since_order")] = 0;
        ChurnDriver[] drivers = [new("recency_days", 61, 0.8, "raises"), new("web_sessions_since_order", 0, 0.3, "raises"), new("monetary_30", null, 0.1, "raises")];

        var attached = DriverContext.Attach(drivers, row);
        var json = JsonSerializer.Serialize(attached, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });
        var en = ReportLabels.For("en");
        var words = DriverWords.Sentences(ChurnDrivers.ParseFacts(json), [], ScoredAt, en, new ReportFormat(en, "€"), 3);

        Assert.Equal(new Dictionary<string, double> { ["avg_interpurchase_days"] = 20, ["orders_all"] = 4 }, attached[0].Context);
        Assert.Null(attached[1].Context);
        Assert.Equal(["no order for 61 days, usually every 20", "no web visit since the last order", "spend in the last 30 days"], words);
    }

    private static int Index(string feature) => FeatureColumns.All.ToList().IndexOf(feature);
}

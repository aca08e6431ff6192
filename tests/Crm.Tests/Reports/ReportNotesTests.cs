using System.Text.Json;
using Crm.Pipeline.Churn;
using Crm.Pipeline.Reports;
using Crm.Synthetic;
using Crm.Pipeline.Features;

namespace Crm.Tests.Reports;

/// <summary>The report's "as of" rule, its stale-model note and the weekly web logs of the demo company (#18).</summary>
public sealed class ReportNotesTests
{
    private static readonly ReportLabels En = ReportLabels.For("en");

    private static ReportData Data(ModelHealth? model, DateTimeOffset generatedAt)
    {
        var period = new ReportPeriod("monthly", new DateOnly(2026, 5, 1), new DateOnly(2026, 6, 1), new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero));
        var k = new Kpis(0, 0, 0, 0, 0, 0, 0, null, 0);
        return new ReportData(new RecipientOptions { Name = "M", Address = "m@x.test" }, period, k, k, k, [], [], [], [], [], [], [], model, 90, generatedAt, generatedAt)
        {
            PeriodEndUtc = new DateTimeOffset(2026, 6, 1, 4, 0, 0, TimeSpan.Zero),
        };
    }

    private static ModelHealth Model(DateOnly lastCutoff, DateTimeOffset since) =>
        new("churn-x", "fasttree", 0.7, since, null, null, 0)
        {
            AucTrend = [(lastCutoff.AddDays(-30), 0.68), (lastCutoff, 0.7)],
            HorizonDays = 90,
        };

    [Fact]
    public void ModelNote_CallsAChampionStale_WhenItsDataEndsLongBeforeThePeriod()
    {
        // Trained on 1998 customers, reporting May 2026: its data ends 1998-06-30 (cutoff + 90 days).
        var data = Data(Model(new DateOnly(1998, 4, 1), new DateTimeOffset(2026, 5, 2, 0, 0, 0, TimeSpan.Zero)), new DateTimeOffset(2026, 6, 1, 13, 0, 0, TimeSpan.Zero));

        var lines = ReportNotes.ModelLines(data, En, new ReportFormat(En, "€"));

        var stale = Assert.Single(lines, l => l.Warning);
        var days = new DateOnly(2026, 6, 1).DayNumber - new DateOnly(1998, 6, 30).DayNumber;
        Assert.Contains("1998-06-30", stale.Text, StringComparison.Ordinal);
        Assert.Contains(days.ToString(System.Globalization.CultureInfo.InvariantCulture) + " days", stale.Text, StringComparison.Ordinal);
        Assert.Contains(lines, l => l.Text == "Champion since 2026-05-02.");
        Assert.Contains(lines, l => l.Text == "AUC by backtest cutoff: 1998-03-02 0.680, 1998-04-01 0.700.");
    }

    [Fact]
    public void ModelNote_OfAFreshChampionPromotedAfterTheReportsNow_HasNoWarningAndNoSince()
    {
        // Demo: the model learnt up to 2026-03-03 + 90 d = 2026-06-01; it was promoted (wall clock) in December.
        var data = Data(Model(new DateOnly(2026, 3, 3), new DateTimeOffset(2026, 12, 7, 8, 0, 0, TimeSpan.Zero)), new DateTimeOffset(2026, 6, 1, 13, 0, 0, TimeSpan.Zero));

        var lines = ReportNotes.ModelLines(data, En, new ReportFormat(En, "€"));

        Assert.DoesNotContain(lines, l => l.Warning);
        Assert.DoesNotContain(lines, l => l.Text.Contains("since", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Text.Contains("as of 2026-03-03", StringComparison.Ordinal));
    }

    [Fact]
    public void Freshness_IsMeasuredAtThePeriodsEnd_NotAtSending()
    {
        var end = new DateTimeOffset(2026, 6, 1, 4, 0, 0, TimeSpan.Zero);

        Assert.Equal("5 h before end", ReportNotes.Age(end.AddHours(-5), end, En));
        Assert.Equal("3 d before end", ReportNotes.Age(end.AddDays(-3), end, En));
        Assert.Equal("none yet", ReportNotes.Age(null, end, En));
    }

    [Fact]
    public void OutputStamp_OfAPastToday_IsThatDaysStart_OtherwiseNow()
    {
        var now = new DateTime(2026, 12, 7, 8, 3, 1, DateTimeKind.Utc);

        Assert.Equal(new DateTime(2026, 6, 1, 0, 0, 0, DateTimeKind.Utc), AsOfDay.OutputStamp(new DateOnly(2026, 6, 1), now));
        Assert.Equal(now, AsOfDay.OutputStamp(new DateOnly(2026, 12, 7), now));
    }

    [Fact]
    public void Generator_WeeklyWebLogFiles_HoldTheSameLinesAsDailyOnes()
    {
        var root = Path.Combine(Path.GetTempPath(), "crm-weekly-" + Guid.NewGuid().ToString("N"));
        try
        {
            long Lines(int daysPerFile, out int files)
            {
                var dir = Path.Combine(root, daysPerFile.ToString(System.Globalization.CultureInfo.InvariantCulture));
                new SyntheticCompanyGenerator(new GeneratorOptions { Customers = 60, Days = 21, Seed = 5, Out = dir, WebLogDaysPerFile = daysPerFile, Progress = false }).Run();
                using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "weblogs", "formats.json")));
                var www = doc.RootElement.GetProperty("files").EnumerateArray().Where(f => f.GetProperty("site").GetString() is "www" or "m").ToList();
                files = www.Count;
                return www.Sum(f => f.GetProperty("lines").GetInt64());
            }

            var daily = Lines(1, out var dailyFiles);
            var weekly = Lines(7, out var weeklyFiles);

            Assert.Equal(2 * 21, dailyFiles);
            Assert.Equal(2 * 3, weeklyFiles);
            Assert.True(daily > 0);
            Assert.Equal(daily, weekly);
            Assert.True(File.Exists(Path.Combine(root, "7", "weblogs", "www", "access.log-" + new GeneratorOptions().Start.AddDays(7).ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture)))
                || File.Exists(Path.Combine(root, "7", "weblogs", "www", "access.log-" + new GeneratorOptions().Start.AddDays(7).ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture) + ".gz")));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Theory]
    [InlineData("EUR", "en", "€")]
    [InlineData("USD", "en", "$")]
    [InlineData("USD", "zh", "US$")]
    [InlineData("CNY", "zh", "¥")]
    [InlineData("CNY", "en", "CN¥")]
    [InlineData("JPY", "en", "¥")]
    [InlineData("JPY", "zh", "JP¥")]
    [InlineData("CHF", "en", "CHF ")]
    public void CurrencySymbol_FollowsTheCodeAndTheRecipientsLanguage(string code, string language, string expected)
    {
        Assert.Equal(expected, ReportCurrency.Symbol([code], language));
    }

    [Fact]
    public void CurrencySymbol_OfSeveralCurrencies_IsEmpty_AndTheNoteNamesThem()
    {
        Assert.Equal("", ReportCurrency.Symbol(["EUR", "USD"], "en"));
        var data = Data(null, DateTimeOffset.UnixEpoch);
        var mixed = new ReportData(data.Recipient, data.Period, data.Current, data.Previous, data.YearBefore, [], [], [], [], [], [], [], null, 90, data.GeneratedAt, data.GeneratedAt)
        {
            Currencies = ["EUR", "USD"],
        };

        var note = Assert.Single(ReportNotes.Currency(mixed, En));
        Assert.Contains("(EUR, USD)", note, StringComparison.Ordinal);
        Assert.Contains("Crm:Reports:ExchangeRates", note, StringComparison.Ordinal);
    }
}

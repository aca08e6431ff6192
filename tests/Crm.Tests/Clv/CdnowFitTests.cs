using System.Globalization;
using Crm.Pipeline.Clv;
using Crm.Pipeline.Features;

namespace Crm.Tests.Clv;

/// <summary>
/// The CLV models against the published fits on the CDNOW 1/10 sample (Fader, Hardie &amp; Lee 2005;
/// Fader &amp; Hardie 2013), the same checks the R (BTYD, CLVTools) and Python (lifetimes) packages run.
/// The customer summaries are computed here straight from the file, not through the code under test.
/// </summary>
public sealed class CdnowFitTests
{
    private static readonly Lazy<IReadOnlyList<CustomerSummary>> Calibration = new(LoadCalibration);

    [Fact]
    public void Calibration_SummaryMatchesTheReadme()
    {
        var c = Calibration.Value;
        Assert.Equal(2357, c.Count);
        Assert.Equal(2457, c.Sum(s => s.Frequency));
        Assert.Equal(946, c.Count(s => s.Frequency > 0));
    }

    [Fact]
    public void BgNbd_Fit_MatchesPublishedParameters()
    {
        var m = BgNbdModel.Fit(Calibration.Value);
        AssertClose(0.2426, m.R);
        AssertClose(4.4136, m.Alpha);
        AssertClose(0.7929, m.A);
        AssertClose(2.4259, m.B);
        AssertClose(-9582.43, m.LogLikelihood);
    }

    [Fact]
    public void BgNbd_ExpectedPurchasesOfCustomer1_Is1226()
    {
        var m = BgNbdModel.Fit(Calibration.Value);
        var customer1 = new CustomerSummary(2, 30.43, 38.86, 0);
        Assert.Equal(1.226, m.ExpectedPurchases(customer1, 39), 3);
    }

    [Fact]
    public void ParetoNbd_Fit_MatchesPublishedParameters()
    {
        var m = ParetoNbdModel.Fit(Calibration.Value);
        AssertClose(0.5532, m.R);
        AssertClose(10.576, m.Alpha);
        AssertClose(0.6063, m.S);
        AssertClose(11.672, m.Beta);
        AssertClose(-9594.98, m.LogLikelihood);
    }

    [Fact]
    public void GammaGamma_Fit_MatchesPublishedParameters()
    {
        var repeat = Calibration.Value.Where(c => c.Frequency > 0).ToList();
        Assert.Equal(946, repeat.Count);
        var m = GammaGammaModel.Fit(repeat);
        // The published values are rounded to two decimals (the exact MLE is q ≈ 3.7442, 0.11 % from
        // 3.74), so they are checked to their published precision: within half a unit of the last digit.
        Assert.Equal(6.25, m.P, 0.005);
        Assert.Equal(3.74, m.Q, 0.005);
        Assert.Equal(15.44, m.Gamma, 0.005);
    }

    [Fact]
    public void Hyp2F1_MatchesClosedForms()
    {
        // 2F1(1, 1; 2; z) = −ln(1 − z) / z and 2F1(a, b; b; z) = (1 − z)^−a.
        foreach (var z in new[] { 0.1, 0.5, 0.9, 0.99 })
        {
            AssertClose(-Math.Log(1 - z) / z, Hypergeometric.Hyp2F1(1, 1, 2, z), 1e-12);
            AssertClose(Math.Pow(1 - z, -2.5), Hypergeometric.Hyp2F1(2.5, 3.2, 3.2, z), 1e-12);
        }
    }

    private static void AssertClose(double expected, double actual, double relative = 0.001) =>
        Assert.True(Math.Abs(actual - expected) <= relative * Math.Abs(expected),
            $"expected {expected} within {relative:P2}, got {actual}");

    private static List<CustomerSummary> LoadCalibration()
    {
        var file = Crm.Tests.Sources.Repo.File("src", "Crm.Worker", "demo", "cdnow", "CDNOW_sample.txt");
        var end = new DateTime(1997, 9, 30);
        // Field 2 is the sample customer id, field 3 the day, field 5 the value; same-day rows are one transaction.
        var byCustomer = File.ReadLines(file)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length == 5)
            .Select(f => (Id: f[1], Day: DateTime.ParseExact(f[2], "yyyyMMdd", CultureInfo.InvariantCulture), Value: double.Parse(f[4], CultureInfo.InvariantCulture)))
            .GroupBy(r => r.Id);
        var result = new List<CustomerSummary>();
        foreach (var g in byCustomer)
        {
            var days = g.GroupBy(r => r.Day).Select(d => (Day: d.Key, Value: d.Sum(r => r.Value))).OrderBy(d => d.Day).ToList();
            var first = days[0].Day;
            var cal = days.Where(d => d.Day <= end).ToList();
            var repeat = cal.Skip(1).ToList();
            result.Add(new CustomerSummary(
                repeat.Count,
                (cal[^1].Day - first).TotalDays / 7,
                (end - first).TotalDays / 7,
                repeat.Count > 0 ? repeat.Average(d => d.Value) : 0));
        }

        return result;
    }
}

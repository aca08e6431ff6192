using System.Globalization;
using Crm.Synthetic;

namespace Crm.Tests.Synthetic;

/// <summary>
/// The engagement dropout process (#22): people leave by a hazard that bad experiences raise, wane before their last
/// order, and buy on a rhythm. Expected figures follow from the process as documented on
/// <see cref="DropoutProcess.Engagement"/>, worked from the order files and the truth, not from the generator's code.
/// </summary>
public sealed class EngagementDropoutTests : IClassFixture<EngagementDropoutTests.Company>
{
    // Only order files matter here: every return is a bad experience (ReturnRate 0), and no other mail or web.
    private static readonly GeneratorOptions Configured = new()
    {
        Customers = 8000, Days = 540, Seed = 2207, Dropout = DropoutProcess.Engagement, BadExperienceRate = 0.1,
        JsonFeedShare = 0, DuplicateRate = 0, OrderFaultRate = 0, CancelRate = 0, ReturnRate = 0, BotShare = 0, AnonymousShare = 0,
        VisitsPerPurchase = 0, BaselineVisitsPerYear = 0, CampaignReach = 0, QuestionsPerYear = 0, BaselineComplaintsPerYear = 0,
        ComplaintBeforeDropout = 0, CancellationRequestRate = 0, GzipShare = 0,
    };

    private readonly Company _c;

    public EngagementDropoutTests(Company company) => _c = company;

    public sealed class Company : IDisposable
    {
        public Company()
        {
            Generated = new GeneratedCompany(Configured);
            var start = new DateTimeOffset(Configured.Start.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            var personOf = Generated.Truth("persons.csv").ToDictionary(p => p[6], p => p[0]);
            var orders = new Dictionary<string, (double Day, double Value, bool Returned)>();
            var owner = new Dictionary<string, string>();
            foreach (var path in Generated.Files("orders", "*.csv"))
            {
                foreach (var line in GeneratedCompany.Lines(path).Skip(1).Where(l => l.Length > 0))
                {
                    // order_id, order_date, customer_id, …, quantity (12), unit_price (13), currency, status (15)
                    var f = GeneratedCompany.SplitCsv(line);
                    var day = (DateTimeOffset.Parse(f[1], CultureInfo.InvariantCulture) - start).TotalDays;
                    var qty = int.Parse(f[12], CultureInfo.InvariantCulture);
                    var value = qty > 0 ? qty * double.Parse(f[13], CultureInfo.InvariantCulture) : 0;
                    var o = orders.GetValueOrDefault(f[0], (day, 0, false));
                    orders[f[0]] = (day, o.Value + value, o.Returned || qty < 0);
                    owner[f[0]] = personOf[f[2]];
                }
            }

            Orders = orders.GroupBy(o => owner[o.Key]).ToDictionary(g => g.Key, g => g.Select(o => o.Value).OrderBy(o => o.Day).ToList());
            Persons = Generated.Truth("persons.csv").ToDictionary(p => p[0], p => p[9].Length > 0 ? (DateTimeOffset.Parse(p[9], CultureInfo.InvariantCulture) - start).TotalDays : (double?)null);
        }

        public GeneratedCompany Generated { get; }

        /// <summary>Each person's orders in time order: day, value of the items bought, whether an item went back.</summary>
        public Dictionary<string, List<(double Day, double Value, bool Returned)>> Orders { get; }

        /// <summary>Each person's true dropout day, null for those still there.</summary>
        public Dictionary<string, double?> Persons { get; }

        public void Dispose() => Generated.Dispose();
    }

    [Fact]
    public void NoOneOrders_AfterTheirTrueDropout()
    {
        var dropouts = _c.Persons.Where(p => p.Value is not null).ToList();

        Assert.True(dropouts.Count > 300, $"only {dropouts.Count} dropouts");
        Assert.All(dropouts, p => Assert.True(_c.Orders[p.Key][^1].Day < p.Value!.Value + 1.0 / 86400, $"{p.Key} ordered after their dropout"));
    }

    [Fact]
    public void ABadFirstExperience_MakesDropoutFarLikelier()
    {
        // The hazard after a bad experience is (1 + 1.5) = 2.5 times the hazard without; at dropout shares of a few
        // tenths the share of people who leave is then well over 1.4 times as high.
        var bad = _c.Orders.Where(o => o.Value[0].Returned).Select(o => o.Key).ToList();
        var good = _c.Orders.Where(o => !o.Value[0].Returned).Select(o => o.Key).ToList();
        double Share(List<string> people) => (double)people.Count(p => _c.Persons[p] is not null) / people.Count;

        // A tenth of first orders have a bad experience, within four binomial standard errors.
        var n = _c.Orders.Count;
        Assert.InRange((double)bad.Count / n, 0.1 - 4 * Math.Sqrt(0.09 / n), 0.1 + 4 * Math.Sqrt(0.09 / n));
        Assert.True(Share(bad) > 1.4 * Share(good), $"dropout share after a bad first order {Share(bad):F3}, after a good one {Share(good):F3}");
    }

    [Fact]
    public void WaningCustomers_BuySmallerBaskets_BeforeTheirLastOrder()
    {
        // The waning window is at least half of ChurnSignalDays, so orders in that last stretch before dropout are
        // waning ones (60 % of the usual basket); orders before 1.5 × ChurnSignalDays are from before the decision.
        var late = Configured.ChurnSignalDays * 0.5;
        var early = Configured.ChurnSignalDays * 1.5;
        var logRatios = new List<double>();
        foreach (var (person, dropout) in _c.Persons.Where(p => p.Value is not null))
        {
            var orders = _c.Orders[person];
            var waning = orders.Where(o => o.Day >= dropout!.Value - late).ToList();
            var before = orders.Where(o => o.Day < dropout!.Value - early).ToList();
            if (waning.Count > 0 && before.Count > 0)
            {
                logRatios.Add(Math.Log(waning.Average(o => o.Value) / before.Average(o => o.Value)));
            }
        }

        Assert.True(logRatios.Count > 100, $"only {logRatios.Count} dropouts with orders both early and late");
        // Order values are gamma-distributed around the person's mean, so a per-person log ratio is log 0.6 plus noise
        // of mean about zero: within four standard errors of the mean.
        var mean = logRatios.Average();
        var se = Math.Sqrt(logRatios.Sum(r => (r - mean) * (r - mean)) / (logRatios.Count - 1) / logRatios.Count);
        Assert.InRange(mean, Math.Log(0.6) - 4 * se, Math.Log(0.6) + 4 * se);
        Assert.True(se < 0.08, $"standard error {se:F3}: too few orders to tell 0.6 from 1");
    }

    [Fact]
    public void PeopleWhoStay_BuyOnARhythm_NotAsAPoissonProcess()
    {
        // Gaps are Gamma(κ) with κ = 1 + Gamma(2, 1): a coefficient of variation 1/√κ, about 0.6 at the median κ
        // of 2.7; a Poisson buyer's gaps have a coefficient of variation of 1.
        var cvs = new List<double>();
        foreach (var (person, dropout) in _c.Persons.Where(p => p.Value is null))
        {
            var days = _c.Orders.TryGetValue(person, out var o) ? o.Select(x => x.Day).ToArray() : [];
            if (days.Length >= 7)
            {
                var gaps = days.Zip(days.Skip(1), (a, b) => b - a).ToArray();
                var mean = gaps.Average();
                cvs.Add(Math.Sqrt(gaps.Sum(g => (g - mean) * (g - mean)) / (gaps.Length - 1)) / mean);
            }
        }

        cvs.Sort();
        Assert.True(cvs.Count > 150, $"only {cvs.Count} frequent buyers");
        var median = cvs[cvs.Count / 2];
        Assert.InRange(median, 0.4, 0.8);
    }
}

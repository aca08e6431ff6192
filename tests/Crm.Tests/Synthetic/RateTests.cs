using System.Globalization;
using System.Text.Json;
using Crm.Synthetic;

namespace Crm.Tests.Synthetic;

/// <summary>Configured rates are met within tolerance (four binomial standard errors) on a 10k-customer run.</summary>
public sealed class RateTests : IClassFixture<RateTests.Company>
{
    private static readonly GeneratorOptions Configured = new()
    {
        Customers = 10_000, Days = 120, Seed = 99, DuplicateRate = 0.3, HouseholdRate = 0.1, NonLatinShare = 0.15,
        JsonFeedShare = 0.4, CancelRate = 0.05, BotShare = 0.2, OrderFaultRate = 0.01,
        PurchaseShape = 0.9, PurchaseScale = 90, DropoutA = 1, DropoutB = 3,
        CampaignReach = 0, QuestionsPerYear = 0, BaselineComplaintsPerYear = 0.05, ComplaintBeforeDropout = 0.4, CancellationRequestRate = 0,
        VisitsPerPurchase = 2, BaselineVisitsPerYear = 3,
    };

    private readonly GeneratedCompany _c;

    public RateTests(Company company) => _c = company.Generated;

    public sealed class Company : IDisposable
    {
        public GeneratedCompany Generated { get; } = new(Configured);

        public void Dispose() => Generated.Dispose();
    }

    private static void AssertShare(double expected, long hits, long trials, string what)
    {
        var observed = (double)hits / trials;
        var tolerance = 4 * Math.Sqrt(expected * (1 - expected) / trials);
        Assert.True(Math.Abs(observed - expected) <= tolerance,
            $"{what}: expected {expected:F4} ± {tolerance:F4}, observed {observed:F4} ({hits}/{trials})");
    }

    [Fact]
    public void PeopleShares_MatchTheConfiguredRates()
    {
        var persons = _c.Truth("persons.csv");
        Assert.Equal(Configured.Customers, persons.Count);
        AssertShare(Configured.HouseholdRate, persons.Count(p => p[7].Length > 0), persons.Count, "households");
        string[] nonLatin = ["RU", "CN", "JP", "GR"];
        AssertShare(Configured.NonLatinShare, persons.Count(p => nonLatin.Contains(p[1])), persons.Count, "non-Latin names");
        var mainIds = persons.Select(p => p[6]).ToHashSet();
        var jsonCustomers = _c.Truth("records.csv").Count(r => r[0] == "orders:synthetic-jsonl" && mainIds.Contains(r[1]));
        AssertShare(Configured.JsonFeedShare, jsonCustomers, persons.Count, "JSON feed customers");
        var repeatBuyers = persons.Count(p => int.Parse(p[17], CultureInfo.InvariantCulture) >= 2);
        AssertShare(Configured.DuplicateRate, _c.Truth("duplicates.csv").Count, repeatBuyers, "duplicates among repeat buyers");
    }

    [Fact]
    public void PurchaseProcessParameters_MatchThePopulationDistributions()
    {
        var persons = _c.Truth("persons.csv");
        var lambdas = persons.Select(p => double.Parse(p[11], CultureInfo.InvariantCulture)).ToList();
        var ps = persons.Select(p => double.Parse(p[12], CultureInfo.InvariantCulture)).ToList();
        // Gamma(r, α): mean r/α, sd √r/α; Beta(a, b): mean a/(a+b).
        var lambdaMean = Configured.PurchaseShape / Configured.PurchaseScale;
        var lambdaSe = Math.Sqrt(Configured.PurchaseShape) / Configured.PurchaseScale / Math.Sqrt(persons.Count);
        Assert.InRange(lambdas.Average(), lambdaMean - 4 * lambdaSe, lambdaMean + 4 * lambdaSe);
        var a = Configured.DropoutA;
        var b = Configured.DropoutB;
        var pMean = a / (a + b);
        var pSe = Math.Sqrt(a * b / ((a + b) * (a + b) * (a + b + 1)) / persons.Count);
        Assert.InRange(ps.Average(), pMean - 4 * pSe, pMean + 4 * pSe);
    }

    [Fact]
    public void BeforeDropout_VisitsThinOutAndComplaintsRise()
    {
        var persons = _c.Truth("persons.csv");
        var start = new DateTimeOffset(Configured.Start.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        double Day(string iso) => (DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture) - start).TotalDays;

        // Complaints: far more common among people who drop out than among those who stay.
        var churners = persons.Where(p => p[9].Length > 0).ToList();
        var stayers = persons.Where(p => p[9].Length == 0).ToList();
        var churnerRate = (double)churners.Count(p => p[20] == "true") / churners.Count;
        var stayerRate = (double)stayers.Count(p => p[20] == "true") / stayers.Count;
        Assert.True(churnerRate > 3 * stayerRate, $"complaints: churners {churnerRate:F3}, stayers {stayerRate:F3}");

        // Visits: browsing lines per day in the signal window before dropout versus before it,
        // for people whose IP is theirs alone (households share one) and who were around long enough.
        var window = Configured.ChurnSignalDays;
        var ipOwners = _c.Truth("records.csv").Where(r => r[0] == "weblogs:client").GroupBy(r => r[1]).Where(g => g.Count() == 1)
            .ToDictionary(g => g.Key, g => g.First()[2]);
        var lives = churners.Select(p => (Id: p[0], Acquired: Day(p[8]), Dropout: Day(p[9])))
            .Where(p => p.Dropout - p.Acquired >= window + 20).ToDictionary(p => p.Id);
        double before = 0, during = 0, beforeDays = 0, duringDays = 0;
        foreach (var life in lives.Values)
        {
            beforeDays += life.Dropout - window - life.Acquired;
            duringDays += window;
        }

        foreach (var path in _c.Files("weblogs", "access.log-*"))
        {
            foreach (var line in GeneratedCompany.Lines(path))
            {
                if (line.StartsWith('#') || line.Contains("/cart", StringComparison.Ordinal) || line.Contains("/checkout", StringComparison.Ordinal))
                {
                    continue;
                }

                var (ip, at) = IpAndDay(line, start);
                if (ip is null || !ipOwners.TryGetValue(ip, out var person) || !lives.TryGetValue(person, out var l))
                {
                    continue;
                }

                if (at >= l.Acquired && at < l.Dropout - window)
                {
                    before++;
                }
                else if (at >= l.Dropout - window && at < l.Dropout)
                {
                    during++;
                }
            }
        }

        Assert.True(lives.Count > 100, $"only {lives.Count} long-lived churners");
        var ratio = during / duringDays / (before / beforeDays);
        Assert.True(ratio < 0.85, $"visit rate before dropout is {ratio:F2} of the earlier rate");
        Assert.True(ratio > 0.2, $"visit rate before dropout is {ratio:F2}: the signal is too clean to be realistic");
    }

    private static (string? Ip, double Day) IpAndDay(string line, DateTimeOffset start)
    {
        if (line.Length > 20 && char.IsDigit(line[0]) && line[4] == '-' && line[10] == ' ')
        {
            // W3C: date time s-ip method stem query port user c-ip …
            var f = line.Split(' ');
            return f.Length > 8 && DateTimeOffset.TryParse(f[0] + "T" + f[1] + "Z", CultureInfo.InvariantCulture, DateTimeStyles.None, out var w)
                ? (f[8], (w - start).TotalDays) : (null, 0);
        }

        var open = line.IndexOf('[', StringComparison.Ordinal);
        var close = line.IndexOf(']', StringComparison.Ordinal);
        if (open < 0 || close < open)
        {
            return (null, 0);
        }

        var stamp = line[(open + 1)..close];
        var ok = DateTimeOffset.TryParseExact(stamp, "dd/MMM/yyyy:HH:mm:ss zzz", CultureInfo.InvariantCulture, DateTimeStyles.None, out var t)
                 || DateTimeOffset.TryParse(stamp, CultureInfo.InvariantCulture, DateTimeStyles.None, out t);
        return ok ? (line[..line.IndexOf(' ', StringComparison.Ordinal)], (t - start).TotalDays) : (null, 0);
    }

    [Fact]
    public void OrderAndLogShares_MatchTheConfiguredRates()
    {
        var statuses = new Dictionary<string, bool>(); // order id → cancelled
        foreach (var path in _c.Files("orders"))
        {
            var csv = path.Contains(".csv", StringComparison.Ordinal);
            foreach (var line in GeneratedCompany.Lines(path).Skip(csv ? 1 : 0))
            {
                if (csv)
                {
                    var f = GeneratedCompany.SplitCsv(line);
                    if (f.Length == 16)
                    {
                        statuses[f[0]] = f[15] == "cancelled";
                    }
                }
                else
                {
                    try
                    {
                        using var doc = JsonDocument.Parse(line);
                        statuses[doc.RootElement.GetProperty("id").GetString()!] = doc.RootElement.GetProperty("items")[0].GetProperty("status").GetString() == "void";
                    }
                    catch (JsonException)
                    {
                        // A truncated record: counted by the fault share below.
                    }
                }
            }
        }

        var orders = _c.Truth("persons.csv").Sum(p => long.Parse(p[17], CultureInfo.InvariantCulture));
        AssertShare(Configured.CancelRate, statuses.Values.Count(c => c), statuses.Count, "cancelled orders");
        string[] orderFaults = ["truncated", "bad_encoding", "missing_date", "bad_number", "enormous_field"];
        var faults = _c.Truth("faults.csv").Count(f => f[1].StartsWith("orders/", StringComparison.Ordinal) && orderFaults.Contains(f[0]));
        AssertShare(Configured.OrderFaultRate, faults, orders, "orders with a bad record");

        long lines = 0, bots = 0;
        // Crawler names as their user agents spell them (not "bot": product URLs say "water-bottle").
        string[] botMarks = ["Googlebot", "bingbot", "YandexBot", "Baiduspider", "AhrefsBot", "SemrushBot", "DuckDuckBot", "Applebot", "facebookexternalhit", "GPTBot", "PetalBot", "curl/", "python-requests"];
        foreach (var path in _c.Files("weblogs", "access.log-*"))
        {
            foreach (var line in GeneratedCompany.Lines(path))
            {
                if (line.StartsWith('#'))
                {
                    continue;
                }

                lines++;
                if (botMarks.Any(m => line.Contains(m, StringComparison.Ordinal)))
                {
                    bots++;
                }
            }
        }

        // Bot lines are drawn per day in proportion to the human lines; the binomial bound is an approximation.
        AssertShare(Configured.BotShare, bots, lines, "crawler lines");
    }
}

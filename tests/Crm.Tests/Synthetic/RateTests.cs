using System.Globalization;
using System.Text.Json;
using Crm.Pipeline.Synthetic;

namespace Crm.Tests.Synthetic;

/// <summary>Configured rates are met within tolerance (four binomial standard errors) on a 10k-customer run.</summary>
public sealed class RateTests : IClassFixture<RateTests.Company>
{
    private static readonly GeneratorOptions Configured = new()
    {
        Customers = 10_000, Days = 120, Seed = 99, DuplicateRate = 0.3, HouseholdRate = 0.1, NonLatinShare = 0.15,
        JsonFeedShare = 0.4, CancelRate = 0.05, BotShare = 0.2, OrderFaultRate = 0.01,
        PurchaseShape = 0.9, PurchaseScale = 90, DropoutA = 1, DropoutB = 3,
        CampaignReach = 0, QuestionsPerYear = 0, BaselineComplaintsPerYear = 0, ComplaintBeforeDropout = 0, CancellationRequestRate = 0,
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

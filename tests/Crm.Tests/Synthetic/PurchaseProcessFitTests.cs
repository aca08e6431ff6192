using System.Globalization;
using System.Text.Json;
using Crm.Pipeline.Clv;
using Crm.Synthetic;
using Xunit.Abstractions;
using Crm.Pipeline.Features;

namespace Crm.Tests.Synthetic;

/// <summary>
/// The purchase process the generator draws recovers its population parameters when the CLV fitters
/// are run on the generated order feeds (#4). The expected values are the generator's configured
/// options; the tolerance is four standard errors of each maximum-likelihood estimate, taken from the
/// observed Fisher information (the numerical Hessian of the log-likelihood at the optimum), so it
/// shrinks as 1/√N with the sample and a biased generator or fitter fails however large N is.
/// </summary>
public sealed class PurchaseProcessFitTests : IClassFixture<PurchaseProcessFitTests.Company>
{
    // Web, mail and faults are off: only the order feeds are read, and they generate in about a second.
    private static readonly GeneratorOptions Configured = new()
    {
        Customers = 6000, Days = 730, Seed = 4242,
        PurchaseShape = 0.75, PurchaseScale = 110, DropoutA = 0.8, DropoutB = 3.5, SpendP = 6, SpendQ = 4, SpendGamma = 40,
        VisitsPerPurchase = 0, BaselineVisitsPerYear = 0, CampaignReach = 0, QuestionsPerYear = 0, BaselineComplaintsPerYear = 0,
        ComplaintBeforeDropout = 0, CancellationRequestRate = 0, OrderFaultRate = 0, BotShare = 0, AnonymousShare = 0,
    };

    private const double StandardErrors = 4;

    private readonly Company _c;
    private readonly ITestOutputHelper _output;

    public PurchaseProcessFitTests(Company company, ITestOutputHelper output)
    {
        _c = company;
        _output = output;
    }

    public sealed class Company : IDisposable
    {
        public Company()
        {
            Generated = new GeneratedCompany(Configured);
            Summaries = ReadSummaries(Generated);
        }

        public GeneratedCompany Generated { get; }

        /// <summary>Per true person, from the order feeds: x, t_x, T in weeks and the mean repeat order value in EUR.</summary>
        public List<CustomerSummary> Summaries { get; }

        public void Dispose() => Generated.Dispose();
    }

    [Fact]
    public void BgNbdFit_OnTheGeneratedOrders_RecoversTheConfiguredPurchaseAndDropoutDistributions()
    {
        var data = _c.Summaries;
        Assert.Equal(Configured.Customers, data.Count);
        var model = BgNbdModel.Fit(data);

        // The generator's λ is per day; the fit is in weeks, so α (a rate of the gamma of λ) is in weeks.
        double[] expected = [Configured.PurchaseShape, Configured.PurchaseScale / 7, Configured.DropoutA, Configured.DropoutB];
        double[] fitted = [model.R, model.Alpha, model.A, model.B];
        var covariance = LogParameterCovariance(p => BgNbdModel.TotalLogLikelihood(data, p[0], p[1], p[2], p[3]), fitted);
        string[] names = ["r", "alpha", "a", "b"];
        var report = Report(names, expected, fitted, covariance);
        _output.WriteLine(report);
        for (var i = 0; i < names.Length; i++)
        {
            AssertWithin(Math.Log(fitted[i]) - Math.Log(expected[i]), covariance[i, i], names[i], report);
        }

        // Better identified than the raw parameters: the mean purchase rate r/α and the mean dropout a/(a+b).
        AssertWithin(Math.Log(model.R / model.Alpha) - Math.Log(expected[0] / expected[1]),
            Quadratic(covariance, [1, -1, 0, 0]), "mean rate r/alpha", report);
        var meanP = model.A / (model.A + model.B);
        var sa = model.B / (model.A + model.B); // d log(a/(a+b)) / d log a
        AssertWithin(Math.Log(meanP) - Math.Log(expected[2] / (expected[2] + expected[3])),
            Quadratic(covariance, [0, 0, sa, -sa]), "mean dropout a/(a+b)", report);
    }

    [Fact]
    public void GammaGammaFit_OnTheGeneratedRepeatBuyers_RecoversTheConfiguredSpendDistribution()
    {
        var data = _c.Summaries;
        var repeat = data.Where(s => s.Frequency > 0).ToList();
        Assert.True(repeat.Count > 1000, $"only {repeat.Count} repeat buyers");
        var model = GammaGammaModel.Fit(data);
        double[] expected = [Configured.SpendP, Configured.SpendQ, Configured.SpendGamma];
        double[] fitted = [model.P, model.Q, model.Gamma];
        var covariance = LogParameterCovariance(p => GammaGammaModel.TotalLogLikelihood(repeat, p[0], p[1], p[2]), fitted);
        string[] names = ["p", "q", "gamma"];
        var report = Report(names, expected, fitted, covariance);
        _output.WriteLine(report);
        for (var i = 0; i < names.Length; i++)
        {
            AssertWithin(Math.Log(fitted[i]) - Math.Log(expected[i]), covariance[i, i], names[i], report);
        }

        // The population mean order value p·γ/(q−1).
        var logMean = Math.Log(model.P * model.Gamma / (model.Q - 1));
        var dq = -model.Q / (model.Q - 1); // d log(q−1) / d log q, negated
        AssertWithin(logMean - Math.Log(expected[0] * expected[2] / (expected[1] - 1)), Quadratic(covariance, [1, dq, 1]), "mean order value", report);
    }

    private static void AssertWithin(double logError, double variance, string what, string report)
    {
        var se = Math.Sqrt(variance);
        Assert.True(Math.Abs(logError) <= StandardErrors * se,
            $"{what}: relative error {Math.Exp(logError) - 1:P2} exceeds {StandardErrors} standard errors (±{StandardErrors * se:P2}).\n{report}");
    }

    private static string Report(string[] names, double[] expected, double[] fitted, double[,] covariance) =>
        string.Join('\n', names.Select((n, i) => string.Create(CultureInfo.InvariantCulture,
            $"{n}: configured {expected[i]:G5}, fitted {fitted[i]:G5}, relative SE {Math.Sqrt(covariance[i, i]):P2}")));

    private static double Quadratic(double[,] m, double[] v)
    {
        var sum = 0.0;
        for (var i = 0; i < v.Length; i++)
        {
            for (var j = 0; j < v.Length; j++)
            {
                sum += v[i] * m[i, j] * v[j];
            }
        }

        return sum;
    }

    /// <summary>
    /// The inverse of the observed information (minus the Hessian of the log-likelihood) in the
    /// logarithms of the parameters: the asymptotic covariance of the log-parameter estimates.
    /// </summary>
    private static double[,] LogParameterCovariance(Func<double[], double> logLikelihood, double[] at)
    {
        var k = at.Length;
        var log = at.Select(v => Math.Log(v)).ToArray();
        double F(double[] u) => logLikelihood(u.Select(v => Math.Exp(v)).ToArray());
        const double h = 1e-3;
        var hessian = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(k, k);
        for (var i = 0; i < k; i++)
        {
            for (var j = i; j < k; j++)
            {
                double Shifted(double di, double dj)
                {
                    var u = (double[])log.Clone();
                    u[i] += di;
                    u[j] += dj;
                    return F(u);
                }

                var value = (Shifted(h, h) - Shifted(h, -h) - Shifted(-h, h) + Shifted(-h, -h)) / (4 * h * h);
                hessian[i, j] = value;
                hessian[j, i] = value;
            }
        }

        var inverse = (-hessian).Inverse();
        var result = new double[k, k];
        for (var i = 0; i < k; i++)
        {
            for (var j = 0; j < k; j++)
            {
                result[i, j] = inverse[i, j];
            }
        }

        return result;
    }

    /// <summary>
    /// Reads every order of the CSV and JSON-lines feeds, maps its customer id (main or duplicate record)
    /// to the true person through <c>truth/records.csv</c>, converts its value back to EUR with the
    /// culture's rate and builds each person's BG/NBD summary over the generated period.
    /// </summary>
    private static List<CustomerSummary> ReadSummaries(GeneratedCompany c)
    {
        var personOf = c.Truth("records.csv").Where(r => r[0].StartsWith("orders:", StringComparison.Ordinal))
            .ToDictionary(r => r[1], r => r[2], StringComparer.Ordinal);
        var fx = Cultures.Latin.Concat(Cultures.NonLatinCultures).GroupBy(x => x.Currency).ToDictionary(g => g.Key, g => (double)g.First().FxPerUnit, StringComparer.Ordinal);
        var orders = new Dictionary<string, (string Person, DateTime At, double Value)>(StringComparer.Ordinal);

        void Add(string id, string date, string customer, string currency, double qty, double price)
        {
            var at = DateTimeOffset.Parse(date, CultureInfo.InvariantCulture).UtcDateTime;
            var value = qty > 0 ? qty * price / fx[currency] : 0; // returns (negative lines) do not undo the purchase
            orders[id] = orders.TryGetValue(id, out var o) ? o with { Value = o.Value + value } : (personOf[customer], at, value);
        }

        foreach (var path in c.Files("orders"))
        {
            var csv = path.Contains(".csv", StringComparison.Ordinal);
            foreach (var line in GeneratedCompany.Lines(path).Skip(csv ? 1 : 0).Where(l => l.Length > 0))
            {
                if (csv)
                {
                    var f = GeneratedCompany.SplitCsv(line);
                    Assert.Equal(16, f.Length);
                    Add(f[0], f[1], f[2], f[14], double.Parse(f[12], CultureInfo.InvariantCulture), double.Parse(f[13], CultureInfo.InvariantCulture));
                }
                else
                {
                    using var doc = JsonDocument.Parse(line);
                    var o = doc.RootElement;
                    foreach (var item in o.GetProperty("items").EnumerateArray())
                    {
                        Add(o.GetProperty("id").GetString()!, o.GetProperty("created_at").GetString()!, o.GetProperty("customer").GetProperty("id").GetString()!,
                            o.GetProperty("currency").GetString()!, item.GetProperty("qty").GetDouble(), item.GetProperty("price").GetDouble());
                    }
                }
            }
        }

        var end = Configured.Start.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc).AddDays(Configured.Days);
        var summaries = new List<CustomerSummary>();
        foreach (var person in orders.Values.GroupBy(o => o.Person))
        {
            var sorted = person.OrderBy(o => o.At).ToList();
            var first = sorted[0].At;
            var x = sorted.Count - 1;
            var repeatMean = x > 0 ? sorted.Skip(1).Average(o => o.Value) : 0;
            summaries.Add(new CustomerSummary(x, (sorted[^1].At - first).TotalDays / 7, (end - first).TotalDays / 7, repeatMean));
        }

        return summaries;
    }
}

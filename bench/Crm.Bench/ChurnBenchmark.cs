using System.Diagnostics;
using System.Globalization;
using Crm.Pipeline.Churn;
using Crm.Pipeline.Clv;
using Crm.Pipeline.Features;
using Crm.Pipeline.Jobs;
using Crm.Pipeline.Warehouse;
using Crm.Worker.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Crm.Bench;

/// <summary>
/// <c>churn [CUSTOMERS…]</c>: feature build, training (one-fold backtest + challenger) and scoring of N
/// synthetic customers in a throwaway embedded PostgreSQL, each beside a baseline measured in the same
/// run (a plain SQL count/sum/max per customer over the same orders); BG/NBD fit time on CDNOW and on N
/// customers beside one log-likelihood evaluation. Peak working set after each phase.
/// <c>churn truth [CUSTOMERS…] [--dropout engagement|bgnbd]</c>: the same models on a generated company against its truth
/// (<see cref="ChurnTruthBenchmark"/>); the company's people leave by the engagement process unless told otherwise.
/// </summary>
internal static class ChurnBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var truth = args.Length > 0 && args[0] == "truth";
        var dropout = Crm.Synthetic.DropoutProcess.Engagement;
        var at = Array.IndexOf(args, "--dropout");
        if (at >= 0)
        {
            if (at + 1 >= args.Length || !Enum.TryParse(args[at + 1], ignoreCase: true, out dropout))
            {
                Console.Error.WriteLine("--dropout takes engagement or bgnbd");
                return 2;
            }

            args = [.. args[..at], .. args[(at + 2)..]];
        }

        var sizes = args.Skip(truth ? 1 : 0).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).DefaultIfEmpty(truth ? 10_000 : 100_000).ToList();
        var root = Path.Combine(Path.GetTempPath(), "crm-bench-churn-" + Guid.NewGuid().ToString("N")[..8]);
        await using var server = await EmbeddedPostgres.StartAsync(root, CancellationToken.None);
        try
        {
            if (truth)
            {
                foreach (var n in sizes)
                {
                    await ChurnTruthBenchmark.RunAsync(server, root, n, dropout);
                }

                return 0;
            }

            BenchCdnowFit();
            foreach (var n in sizes)
            {
                await BenchSizeAsync(server, n);
            }
        }
        finally
        {
            await server.StopAsync();
            Directory.Delete(root, recursive: true);
        }

        return 0;
    }

    /// <summary>The features stage's settings that lay out <paramref name="options"/>' cutoffs (30 days apart, the default).</summary>
    internal static FeaturesOptions FeaturesFor(ChurnOptions options) => new()
    {
        HorizonDays = options.HorizonDays, BacktestCutoffs = options.BacktestCutoffs, TrainingCutoffs = options.TrainingCutoffs,
    };

    /// <summary>The features stage's preparer as of <paramref name="options"/>' day.</summary>
    internal static FeaturePreparer Preparer(NpgsqlDataSource ds, ChurnOptions options, FeaturesOptions features) =>
        new(ds, new FeatureBuilder(ds, new FixedOptions<FeaturesOptions>(features)), new FixedOptions<FeaturesOptions>(features),
            new FixedOptions<AsOfOptions>(new AsOfOptions { AsOf = options.AsOf }));

    private static async Task BenchSizeAsync(EmbeddedPostgres server, int n)
    {
        var name = "bench_churn_" + n;
        await using var ds = await BenchEnvironment.CreateDatabaseAsync(server.ConnectionString, name);
        var watch = Stopwatch.StartNew();
        var orders = await GenerateAsync(ds, n);
        Console.WriteLine($"churn[{n:N0}]: generated {orders:N0} orders in {watch.Elapsed.TotalSeconds:F1} s");

        var options = new ChurnOptions
        {
            AsOf = new DateOnly(2025, 1, 1), BacktestCutoffs = 1, TrainingCutoffs = 1,
            Trees = 100, Leaves = 20, MinimumExamplesPerLeaf = 50,
        };
        var monitor = new FixedOptions<ChurnOptions>(options);
        var featureOptions = FeaturesFor(options);
        var builder = new FeatureBuilder(ds, new FixedOptions<FeaturesOptions>(featureOptions));
        var preparer = Preparer(ds, options, featureOptions);
        var trainer = new ChurnTrainer(ds, monitor, new FixedOptions<FeaturesOptions>(featureOptions));
        var calendar = ChurnCalendar.For(options.AsOf!.Value, options, featureOptions.CutoffStepDays);

        var baseline = await TimeAsync(async () =>
        {
            await using var cmd = ds.CreateCommand(
                """
                select count(*) from (
                  select ci.customer_id, count(*), sum(o.total_amount), max(o.order_ts)
                  from core."order" o join core.customer_identity ci
                    on ci.source = 'orders:' || o.feed and ci.source_customer_id = o.source_customer_id
                  where o.order_ts < '2025-01-01' group by ci.customer_id) t
                """);
            await cmd.ExecuteScalarAsync();
        });
        Report(n, "baseline: SQL count/sum/max per customer", baseline, baseline);

        // As the features stage builds them: today's cutoff for everyone, the past ones for the sample of
        // FeatureSampleCustomers; and, for comparison, one more build of today's cutoff alone.
        var cutoffs = calendar.AllFeatureCutoffs(options);
        FeatureRun? prepared = null;
        var features = await TimeAsync(async () => prepared = await preparer.PrepareAsync(false, NullProgressSink.Instance, CancellationToken.None));
        var sample = prepared!.PastSampleSlots == FeatureSample.All ? "everyone" : $"a {FeatureSample.Share(prepared.PastSampleSlots):P1} sample";
        Report(n, $"features ({cutoffs.Count} cutoffs: today's for everyone, the others for {sample}; incl. BG/NBD p-alive)", features, baseline);
        var today = await TimeAsync(async () => await builder.BuildAsync(calendar.AsOf, CancellationToken.None));
        Report(n, "features of today's cutoff alone (everyone)", today, baseline);

        TrainingOutcome? outcome = null;
        var train = await TimeAsync(async () => outcome = await trainer.TrainAsync(NullProgressSink.Instance, CancellationToken.None));
        Report(n, $"train (1-fold backtest of 2 models + challenger on {outcome!.TrainRows:N0} rows)", train, baseline);

        ScoringOutcome? scored = null;
        var score = await TimeAsync(async () => scored = await new ChurnScorer(ds, monitor).ScoreAsync(NullProgressSink.Instance, CancellationToken.None));
        Report(n, $"score + explain + write ({scored!.Scored:N0} customers)", score, baseline);
        Report(n, "features + train + score", features + train + score, baseline);
        foreach (var r in outcome.Report.Results)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"churn[{n:N0}]: backtest {r.Cutoff:yyyy-MM-dd} {r.Model,-14} auc={r.Metrics.RocAuc:F4} pr_auc={r.Metrics.PrAuc:F4} lift10={r.Metrics.LiftTopDecile:F2}"));
        }

        // BG/NBD on all N customers (no sampling) beside one log-likelihood evaluation.
        await using var connection = await ds.OpenConnectionAsync();
        var (_, summaries) = await CustomerSummaryQuery.ReadAsync(connection, options.AsOf.Value, CancellationToken.None);
        var ll = Time(() => BgNbdModel.TotalLogLikelihood(summaries, 0.5, 10, 0.8, 2.5));
        var fit = Time(() => BgNbdModel.Fit(summaries));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"churn[{n:N0}]: BG/NBD fit on {summaries.Length:N0} customers {fit.TotalSeconds:F2} s = {fit / ll:F0} x one log-likelihood evaluation ({ll.TotalMilliseconds:F1} ms)"));
    }

    private static void BenchCdnowFit()
    {
        var file = FindCdnow();
        var end = new DateTime(1997, 9, 30);
        var summaries = File.ReadLines(file)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(f => f.Length == 5)
            .GroupBy(f => f[1])
            .Select(g =>
            {
                var days = g.Select(f => DateTime.ParseExact(f[2], "yyyyMMdd", CultureInfo.InvariantCulture)).Distinct().Order().ToList();
                var cal = days.Where(d => d <= end).ToList();
                return new CustomerSummary(cal.Count - 1, (cal[^1] - cal[0]).TotalDays / 7, (end - cal[0]).TotalDays / 7, 0);
            }).ToArray();
        var ll = Time(() => BgNbdModel.TotalLogLikelihood(summaries, 0.5, 10, 0.8, 2.5));
        BgNbdModel? model = null;
        var fit = Time(() => model = BgNbdModel.Fit(summaries));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"cdnow: BG/NBD fit {fit.TotalMilliseconds:F0} ms = {fit / ll:F0} x one log-likelihood evaluation ({ll.TotalMilliseconds:F2} ms); r={model!.R:F4} alpha={model.Alpha:F4} a={model.A:F4} b={model.B:F4}"));
        var pareto = Time(() => ParetoNbdModel.Fit(summaries));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cdnow: Pareto/NBD fit {pareto.TotalMilliseconds:F0} ms"));
    }

    /// <summary>Synthetic orders in SQL: per customer a start day, a mean gap and an exponential lifetime.</summary>
    private static async Task<long> GenerateAsync(NpgsqlDataSource ds, int n)
    {
        await using var cmd = ds.CreateCommand(
            $"""
            select setseed(0.42);
            insert into core.customer (customer_id, status) overriding system value select g, 'active' from generate_series(1, {n}) g;
            insert into core.customer_identity (source, source_customer_id, customer_id) select 'orders:bench', g::text, g from generate_series(1, {n}) g;
            create temp table p as
              select g as c, timestamptz '2023-01-01' + random() * interval '540 days' as start,
                     10 + random() * 60 as gap, -ln(1 - random()) * 250 as life
              from generate_series(1, {n}) g;
            insert into core."order" (feed, order_id, order_ts, source_customer_id, currency, status, line_count, total_amount, ledger_id)
            select 'bench', p.c || '-' || k, p.start + (k * p.gap + random() * p.gap * 0.5) * interval '1 day', p.c::text, 'USD', 'ordered', 1,
                   round((10 + random() * 90)::numeric, 2), 0
            from p, generate_series(0, greatest(0, floor(least(p.life, extract(epoch from timestamptz '2024-12-31' - p.start) / 86400) / p.gap)::int)) k
            where p.start + k * p.gap * interval '1 day' < timestamptz '2024-12-31';
            insert into core.order_line (feed, order_id, line_key, sku, quantity, line_total, status, ledger_id, line_number)
            select feed, order_id, '1', 'sku' || (hashtext(order_id) & 63), 1, total_amount, 'ordered', 0, 1 from core."order";
            analyze;
            """);
        await cmd.ExecuteNonQueryAsync();
        await using var count = ds.CreateCommand("select count(*) from core.\"order\"");
        return (long)(await count.ExecuteScalarAsync())!;
    }

    private static void Report(int n, string what, TimeSpan elapsed, TimeSpan baseline)
    {
        using var self = Process.GetCurrentProcess();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"churn[{n:N0}]: {what}: {elapsed.TotalSeconds:F2} s ({elapsed / baseline:F1} x baseline), peak working set {self.PeakWorkingSet64 / 1048576.0:F0} MiB"));
    }

    private static async Task<TimeSpan> TimeAsync(Func<Task> action)
    {
        var watch = Stopwatch.StartNew();
        await action();
        return watch.Elapsed;
    }

    private static TimeSpan Time(Action action)
    {
        var watch = Stopwatch.StartNew();
        action();
        return watch.Elapsed;
    }

    internal static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Crm.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? ".";
    }

    private static string FindCdnow()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Crm.sln")))
        {
            dir = dir.Parent;
        }

        return Path.Combine(dir?.FullName ?? ".", "src", "Crm.Worker", "demo", "cdnow", "CDNOW_sample.txt");
    }

    internal sealed class FixedOptions<T>(T value) : IOptionsMonitor<T>
    {
        public T CurrentValue => value;

        public T Get(string? name) => value;

        public IDisposable? OnChange(Action<T, string?> listener) => null;
    }
}

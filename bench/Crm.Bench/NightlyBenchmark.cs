using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Crm.Pipeline;
using Crm.Pipeline.Jobs;
using Crm.Synthetic;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Crm.Bench;

/// <summary>
/// The whole nightly chain at scale: generates a company of N customers (cached under
/// <c>.crm/bench/nightly/N</c>), loads it into a fresh warehouse and runs every stage in chain order
/// (ingest, identity, features, train, score, CLV, segments, reports), printing each stage's time,
/// rows and the peak working set of this process during the stage (PostgreSQL's own memory is not
/// included). Baseline in the same run: a plain <c>COPY … FROM STDIN</c> of every input file's raw
/// lines into a one-column table, i.e. what it costs PostgreSQL just to take in the bytes. With
/// several sizes the growth of each stage's time relative to the first size is printed too.
/// </summary>
/// <remarks>
/// <c>./crm bench nightly 10000,100000[,1000000] [--days 365] [--stages orders,weblogs]</c>; with
/// <c>--stages</c> only those stages run (a later stage needs the ones it reads from); with <c>--reuse</c> the previous
/// run's database is kept (the learning stages' own tables emptied), to measure a late stage again without ingest.
/// </remarks>
internal static class NightlyBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var (sizes, days) = BenchArgs.SizesAndDays(args, 10_000, 100_000);
        var only = StageFilter(args);
        var reuse = args.Contains("--reuse");

        var repo = FindRepositoryRoot();
        await using var environment = await BenchEnvironment.StartAsync();
        var tables = new List<(int Size, List<StageFigure> Stages, double BaselineSeconds)>();
        foreach (var n in sizes)
        {
            var data = Path.GetFullPath(Path.Combine(".crm", "bench", "nightly", $"{n}-{days}"));
            var start = new DateOnly(2025, 1, 1);
            var generation = EnsureGenerated(data, n, start, days);
            var end = start.AddDays(days);

            var database = $"bench_nightly_{n}";
            await using var dataSource = reuse
                ? await environment.ReuseDatabaseAsync(database, ReusedTables(only))
                : await environment.CreateDatabaseAsync(database);
            var baseline = await PlainCopyBaselineAsync(dataSource, data);

            var outbox = Path.Combine(data, "..", $"outbox-{n}");
            if (Directory.Exists(outbox))
            {
                Directory.Delete(outbox, recursive: true);
            }

            var configuration = new ConfigurationBuilder()
                .AddJsonStream(Settings(repo, data, outbox, end))
                .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Warehouse"] = dataSource.ConnectionString })
                .Build();
            var services = new ServiceCollection();
            services.AddSingleton<IConfiguration>(configuration);
            // CRM_BENCH_LOG=Some.Category shows that category's information lines (phase timings, for one).
            var verbose = Environment.GetEnvironmentVariable("CRM_BENCH_LOG");
            services.AddLogging(l =>
            {
                l.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
                if (!string.IsNullOrEmpty(verbose))
                {
                    l.AddFilter(verbose, LogLevel.Information);
                }
            });
            services.AddSingleton(dataSource);
            services.AddCrmPipeline(configuration);
            await using var provider = services.BuildServiceProvider();
            var runner = provider.GetRequiredService<PipelineRunner>();

            Console.WriteLine($"nightly chain, {n:N0} customers over {days} days: {generation}");
            Console.WriteLine($"baseline: plain COPY of every input line into one text column: {baseline.Lines:N0} lines, {baseline.Bytes / 1e6:F0} MB in {baseline.Seconds:F1} s");
            var figures = new List<StageFigure>();
            using var sampler = new WorkingSetSampler();
            Crm.Pipeline.Sources.WebLogs.WebLogTimings.Reset();
            var watch = Stopwatch.StartNew();
            string? current = null;
            var unknown = only?.Except(runner.StageNames).ToList() ?? [];
            if (unknown.Count > 0 || only is { Count: 0 })
            {
                Console.Error.WriteLine($"--stages: unknown stage {string.Join(", ", unknown)}; the stages are {string.Join(",", runner.StageNames)}");
                return 2;
            }

            var stages = only is null ? runner.StageNames : runner.StageNames.Where(only.Contains).ToList();
            var results = await runner.RunAsync(stages, "bench", stage =>
            {
                if (current is not null)
                {
                    figures[^1] = figures[^1] with { PeakMiB = sampler.TakePeak() };
                }

                current = stage;
                sampler.TakePeak();
                figures.Add(new StageFigure(stage, 0, 0, 0, 0, ""));
                return NullProgressSink.Instance;
            }, CancellationToken.None);
            figures[^1] = figures[^1] with { PeakMiB = sampler.TakePeak() };
            watch.Stop();
            foreach (var (stage, result, elapsed) in results)
            {
                var index = figures.FindIndex(f => f.Stage == stage);
                figures[index] = figures[index] with
                {
                    Seconds = elapsed.TotalSeconds, Read = result.RowsRead, Written = result.RowsWritten, Summary = result.Summary,
                };
            }

            Console.WriteLine("stage      | seconds | µs/customer | rows read  | rows written | peak working set MiB | summary");
            foreach (var f in figures)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{f.Stage,-10} | {f.Seconds,7:F1} | {f.Seconds * 1e6 / n,11:F0} | {f.Read,10} | {f.Written,12} | {f.PeakMiB,20:F0} | {Shorten(f.Summary)}"));
            }

            if (stages.Contains("weblogs"))
            {
                Console.WriteLine($"weblogs phases: {Crm.Pipeline.Sources.WebLogs.WebLogTimings.Describe()}");
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"whole chain: {watch.Elapsed.TotalSeconds:F1} s ({watch.Elapsed.TotalMinutes:F1} min) = {watch.Elapsed.TotalSeconds / baseline.Seconds:F1}× the plain COPY baseline; peak working set {BenchEnvironment.PeakMemoryMiB():F0} MiB"));
            BenchReport.Add($"nightly.{n}.baseline_lines", baseline.Lines);
            BenchReport.Add($"nightly.{n}.baseline_seconds", baseline.Seconds);
            BenchReport.Add($"nightly.{n}.chain_seconds", watch.Elapsed.TotalSeconds);
            BenchReport.Add($"nightly.{n}.ratio_chain_to_baseline", watch.Elapsed.TotalSeconds / baseline.Seconds);
            BenchReport.Add($"nightly.{n}.peak_working_set_mib", BenchEnvironment.PeakMemoryMiB());
            foreach (var f in figures)
            {
                BenchReport.Add($"nightly.{n}.{f.Stage}.seconds", f.Seconds);
                BenchReport.Add($"nightly.{n}.{f.Stage}.rows_read", f.Read);
                BenchReport.Add($"nightly.{n}.{f.Stage}.rows_written", f.Written);
                BenchReport.Add($"nightly.{n}.{f.Stage}.peak_working_set_mib", f.PeakMiB);
            }

            tables.Add((n, figures, baseline.Seconds));
            Console.WriteLine();
        }

        if (tables.Count > 1)
        {
            var first = tables[0];
            Console.WriteLine($"growth relative to {first.Size:N0} customers (time ratio ÷ size ratio; 1.0 = linear):");
            foreach (var (size, stages, baseline) in tables.Skip(1))
            {
                var sizeRatio = (double)size / first.Size;
                var parts = stages.Select(s =>
                {
                    var before = first.Stages.Find(f => f.Stage == s.Stage);
                    return before is null || before.Seconds <= 0 ? $"{s.Stage} n/a" : string.Create(CultureInfo.InvariantCulture, $"{s.Stage} {s.Seconds / before.Seconds / sizeRatio:F2}");
                });
                var total = stages.Sum(s => s.Seconds) / first.Stages.Sum(s => s.Seconds) / sizeRatio;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {size:N0}: whole chain {total:F2}; baseline {baseline / first.BaselineSeconds / sizeRatio:F2}; {string.Join(", ", parts)}"));
            }
        }

        return 0;
    }

    /// <summary><c>--stages orders,weblogs</c>: run only these stages (in chain order); null = all.</summary>
    private static HashSet<string>? StageFilter(string[] args)
    {
        var i = Array.IndexOf(args, "--stages");
        return i >= 0 && i + 1 < args.Length ? args[i + 1].Split(',').ToHashSet(StringComparer.Ordinal) : null;
    }

    /// <summary>
    /// With <c>--reuse</c> the previous run's database stays (to iterate on a late stage without re-running
    /// ingest); the tables the chosen learning stages write are emptied first so they start as on a first night.
    /// </summary>
    private static string[] ReusedTables(HashSet<string>? only)
    {
        var tables = new List<string>();
        if (only is null || only.Contains("features"))
        {
            tables.Add("ml.customer_features");
            tables.Add("ml.feature_cutoff");
        }

        if (only is null || only.Contains("train"))
        {
            tables.Add("ml.churn_score");
            tables.Add("ml.model");
        }

        return [.. tables];
    }

    private sealed record StageFigure(string Stage, double Seconds, long Read, long Written, double PeakMiB, string Summary);

    private static string Shorten(string text) => text.Length <= 110 ? text : text[..107] + "...";

    /// <summary>Generates the company unless a previous run left the same one (its manifest is the marker).</summary>
    private static string EnsureGenerated(string data, int customers, DateOnly start, int days)
    {
        var marker = Path.Combine(data, "truth", "manifest.json");
        if (File.Exists(marker))
        {
            return $"reusing {data} ({DirectorySize(data) / 1e6:F0} MB)";
        }

        if (Directory.Exists(data))
        {
            Directory.Delete(data, recursive: true);
        }

        var watch = Stopwatch.StartNew();
        var summary = new SyntheticCompanyGenerator(new GeneratorOptions
        {
            Customers = customers, Start = start, Days = days, Seed = 1, Out = data, Progress = !Console.IsOutputRedirected,
        }).Run();
        return string.Create(CultureInfo.InvariantCulture,
            $"generated in {watch.Elapsed.TotalSeconds:F0} s: {summary.Orders:N0} orders, {summary.OrderCsvRows + summary.OrderJsonLines:N0} order records, {summary.WebLogLines:N0} log lines, {summary.Emails:N0} emails, {summary.Bytes / 1e6:F0} MB");
    }

    private static long DirectorySize(string folder) =>
        new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);

    /// <summary>COPY every line of every input file (decompressed) into <c>public.bench_raw(line text)</c>.</summary>
    private static async Task<(long Lines, long Bytes, double Seconds)> PlainCopyBaselineAsync(NpgsqlDataSource dataSource, string data)
    {
        await using (var create = dataSource.CreateCommand("drop table if exists public.bench_raw; create unlogged table public.bench_raw(line text)"))
        {
            await create.ExecuteNonQueryAsync();
        }

        long lines = 0, bytes = 0;
        var watch = Stopwatch.StartNew();
        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            await using var writer = await connection.BeginBinaryImportAsync("copy public.bench_raw(line) from stdin (format binary)");
            foreach (var file in new[] { "orders", "weblogs", "email" }.SelectMany(d => Directory.EnumerateFiles(Path.Combine(data, d), "*", SearchOption.AllDirectories)).Order(StringComparer.Ordinal))
            {
                if (file.EndsWith(".json", StringComparison.Ordinal))
                {
                    continue;
                }

                await using var stream = File.OpenRead(file);
                await using var decoded = file.EndsWith(".gz", StringComparison.Ordinal)
                    ? new System.IO.Compression.GZipStream(stream, System.IO.Compression.CompressionMode.Decompress)
                    : (Stream)stream;
                using var reader = new StreamReader(decoded, Encoding.Latin1);
                while (await reader.ReadLineAsync() is { } line)
                {
                    await writer.StartRowAsync();
                    await writer.WriteAsync(line.Replace('\0', ' '), NpgsqlTypes.NpgsqlDbType.Text);
                    lines++;
                    bytes += line.Length + 1;
                }
            }

            await writer.CompleteAsync();
        }

        watch.Stop();
        await using (var drop = dataSource.CreateCommand("drop table public.bench_raw"))
        {
            await drop.ExecuteNonQueryAsync();
        }

        return (lines, bytes, watch.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// The demo's settings fragments for the generated company (feeds, web log sources, identity,
    /// churn, CLV, segments), pointed at <paramref name="data"/>, with one daily report recipient.
    /// </summary>
    private static MemoryStream Settings(string repo, string data, string outbox, DateOnly end)
    {
        var demo = Path.Combine(repo, "src", "Crm.Worker", "demo");
        JsonObject Fragment(string name) =>
            (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(demo, name)).Replace("{demo}/synthetic", data.Replace("\\", "/", StringComparison.Ordinal), StringComparison.Ordinal))!["Crm"]!;

        var crm = new JsonObject();
        foreach (var fragment in new[] { "synthetic.settings.json", "identity.settings.json", "churn.settings.json" })
        {
            foreach (var (key, value) in Fragment(fragment).ToList())
            {
                crm[key] = value!.DeepClone();
            }
        }

        crm["Churn"]!["AsOf"] = end.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        crm["Churn"]!["SeedOneToOneIdentity"] = false;
        crm["Email"] = new JsonObject
        {
            ["Drops"] = new JsonArray(Path.Combine(data, "email", "eml"), Path.Combine(data, "email", "mbox")),
            ["StaffDomains"] = new JsonArray("shop.example"),
        };
        var reportDay = end.ToDateTime(new TimeOnly(9, 0), DateTimeKind.Utc);
        while (reportDay.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday)
        {
            reportDay = reportDay.AddDays(1);
        }

        crm["Reports"] = new JsonObject
        {
            ["Outbox"] = outbox,
            ["CurrencySymbol"] = "€",
            ["Recipients"] = new JsonArray(new JsonObject
            {
                ["Name"] = "Bench", ["Address"] = "bench@crm.example", ["TimeZone"] = "UTC", ["Cadence"] = "daily", ["Hour"] = 8,
                ["AsOf"] = new DateTimeOffset(reportDay).ToString("O", CultureInfo.InvariantCulture),
            }),
        };
        return new MemoryStream(Encoding.UTF8.GetBytes(new JsonObject { ["Crm"] = crm }.ToJsonString()));
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Crm.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Run the nightly benchmark from inside the repository (./crm bench nightly).");
    }

    /// <summary>Samples this process's working set every 50 ms; <see cref="TakePeak"/> returns and resets the peak.</summary>
    private sealed class WorkingSetSampler : IDisposable
    {
        private readonly Thread _thread;
        private volatile bool _stop;
        private long _peak;

        public WorkingSetSampler()
        {
            _thread = new Thread(() =>
            {
                using var self = Process.GetCurrentProcess();
                while (!_stop)
                {
                    self.Refresh();
                    var now = self.WorkingSet64;
                    long seen;
                    while (now > (seen = Interlocked.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, seen) != seen)
                    {
                    }

                    Thread.Sleep(50);
                }
            }) { IsBackground = true };
            _thread.Start();
        }

        public double TakePeak()
        {
            using var self = Process.GetCurrentProcess();
            var peak = Math.Max(Interlocked.Exchange(ref _peak, 0), self.WorkingSet64);
            return peak / 1024.0 / 1024.0;
        }

        public void Dispose()
        {
            _stop = true;
            _thread.Join();
        }
    }
}

using System.Diagnostics;
using System.Globalization;
using Crm.Synthetic;

namespace Crm.Bench;

/// <summary>
/// Synthetic company generation at growing sizes: customers/s, output MB/s and peak memory,
/// each beside a baseline measured in the same run — writing the same number of bytes of constant
/// text through a plain buffered FileStream (the disk's speed for this output volume). Memory must
/// not grow with the number of customers beyond per-person state.
/// </summary>
/// <remarks>
/// <c>dotnet run -c Release --project bench/Crm.Bench -- generator [10000,100000[,1000000]] [--days 365]</c>.
/// Measured 2026-11-22 on the shared 2-core machine (load ~30, so wall times are ~10x CPU times):
/// 10k / 100k / 1M customers took 5.6 / 14.6 / 103.9 s of CPU (1M: 1.82M orders, 2.59M order records,
/// 15.9M log lines, 342k emails, 5.3 GB); peak managed heap 19 / 38 / 77 MB, peak working set
/// 106 / 131 / 169 MB. What grows is one day of web log lines held for sorting, not the company.
/// </remarks>
internal static class GeneratorBenchmark
{
    public static int Run(string[] args)
    {
        var (sizes, days) = BenchArgs.SizesAndDays(args, 10_000, 100_000);

        var root = Path.Combine(Path.GetTempPath(), "crm-bench-generator-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Console.WriteLine($"generator benchmark: {days} days, sizes {string.Join(", ", sizes)}; {Environment.ProcessorCount} cores");
        Console.WriteLine("customers | seconds | customers/s | output MB | MB/s | baseline MB/s (constant text) | ratio | peak managed MB | peak working set MB | managed bytes per customer");
        foreach (var n in sizes)
        {
            var output = Path.Combine(root, n.ToString(CultureInfo.InvariantCulture));
            GC.Collect();
            using var sampler = new PeakSampler();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            var summary = new SyntheticCompanyGenerator(new GeneratorOptions { Customers = n, Days = days, Seed = 1, Out = output, Progress = false }).Run();
            watch.Stop();
            var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
            var peakManaged = sampler.Stop();
            var bytes = summary.Bytes;
            Directory.Delete(output, recursive: true);

            var baseline = Baseline(Path.Combine(root, "baseline.txt"), bytes);
            var mbps = bytes / 1e6 / watch.Elapsed.TotalSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{n,9} | {watch.Elapsed.TotalSeconds,7:F1} | {n / watch.Elapsed.TotalSeconds,11:F0} | {bytes / 1e6,9:F1} | {mbps,5:F1} | {baseline,29:F1} | {mbps / baseline,5:F3} | {peakManaged / 1e6,15:F1} | {Process.GetCurrentProcess().PeakWorkingSet64 / 1e6,19:F1} | {(double)peakManaged / n,10:F0}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"          {summary.Orders} orders, {summary.OrderCsvRows + summary.OrderJsonLines} order records, {summary.WebLogLines} log lines, {summary.Emails} emails; CPU {cpuSeconds:F1} s ({cpuSeconds / watch.Elapsed.TotalSeconds:F2} cores busy)"));
        }

        Directory.Delete(root, recursive: true);
        return 0;
    }

    /// <summary>MB/s of writing <paramref name="bytes"/> of constant text lines through a 256 KiB-buffered FileStream.</summary>
    private static double Baseline(string path, long bytes)
    {
        var line = "203.0.113.7 - - [01/Jan/2025:00:00:00 +0100] \"GET / HTTP/1.1\" 200 1234 \"-\" \"Mozilla/5.0\"\n"u8.ToArray();
        var watch = Stopwatch.StartNew();
        using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 18))
        {
            for (long written = 0; written < bytes; written += line.Length)
            {
                file.Write(line);
            }
        }

        watch.Stop();
        File.Delete(path);
        return bytes / 1e6 / watch.Elapsed.TotalSeconds;
    }

    /// <summary>Samples the managed heap every 20 ms and keeps the highest value.</summary>
    private sealed class PeakSampler : IDisposable
    {
        private readonly Thread _thread;
        private volatile bool _stop;
        private long _peak;

        public PeakSampler()
        {
            _thread = new Thread(() =>
            {
                while (!_stop)
                {
                    var now = GC.GetTotalMemory(false);
                    if (now > Interlocked.Read(ref _peak))
                    {
                        Interlocked.Exchange(ref _peak, now);
                    }

                    Thread.Sleep(20);
                }
            }) { IsBackground = true };
            _thread.Start();
        }

        public long Stop()
        {
            _stop = true;
            _thread.Join();
            return Interlocked.Read(ref _peak);
        }

        public void Dispose() => Stop();
    }
}

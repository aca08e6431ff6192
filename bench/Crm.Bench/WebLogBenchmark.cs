using System.Diagnostics;
using System.Globalization;
using System.Text;
using Crm.Pipeline.Jobs;
using Crm.Pipeline.Sources;
using Crm.Pipeline.Sources.WebLogs;
using Crm.Pipeline.Warehouse;
using Crm.Worker.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Crm.Bench;

/// <summary>
/// <c>weblogs [--lines N] [--small N] [--parse-only] [--copy-profile]</c>: generated combined-format lines (default 5,000,000,
/// and a 1,000,000 run for the memory comparison).
/// 1. End-to-end loads at the small and the large size, each with its own peak memory (resident
///    high-water mark reset before each; must not grow with size) and where its time went.
/// 2. Parse only, one thread: lines/s, beside splitting the same bytes into lines (baseline); and
///    parse + enrich (user agent, visitor key, query) without a database.
/// 3. End to end, files → warehouse (read, parse, enrich, COPY, quarantine, sessions, links, file
///    state, ledger) rows/s, beside the baseline: a plain text COPY of the file's raw lines into a
///    one-column table, in a fresh database (ratio target ≥ 0.5). Beside both, a binary COPY of the
///    same rows the load writes — built beforehand, untimed — into the same partitioned table with its
///    index, in the same segments, one transaction each.
/// Uses CRM_BENCH_CONNECTION (a server; databases are created in it) or starts an embedded PostgreSQL.
/// </summary>
internal static class WebLogBenchmark
{
    private static readonly string[] Agents =
    [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (X11; Linux x86_64; rv:123.0) Gecko/20100101 Firefox/123.0",
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Mobile Safari/537.36",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0.0.0 Safari/537.36 Edg/121.0.0.0",
        "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1",
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        var lines = Arg(args, "--lines", 5_000_000);
        var small = Arg(args, "--small", Math.Min(1_000_000, lines / 5));
        var work = Path.Combine(Path.GetTempPath(), "crm-bench-weblogs-" + Environment.ProcessId);
        Directory.CreateDirectory(work);
        EmbeddedPostgres? embedded = null;
        try
        {
            var server = Environment.GetEnvironmentVariable("CRM_BENCH_CONNECTION");
            if (string.IsNullOrEmpty(server) && !args.Contains("--parse-only"))
            {
                embedded = await EmbeddedPostgres.StartAsync(Path.Combine(work, "pg"), CancellationToken.None);
                server = embedded.ConnectionString;
            }

            if (args.Contains("--parse-only"))
            {
                var file = Generate(Path.Combine(work, "large", "access.log.1"), lines);
                var (s0, s1) = SplitOnly(file);
                var (p0, p1) = ParseOnly(file);
                Warm();
                var (e0, e1) = ParseOnly(file, enrich: true);
                Console.WriteLine($"parse only (1 thread): {p0 / p1:N0} lines/s; baseline line split: {s0 / s1:N0} lines/s; ratio {(p0 / p1) / (s0 / s1):N2}; parse + enrich {e0 / e1:N0} lines/s");
                return 0;
            }

            var smallFile = Generate(Path.Combine(work, "small", "access.log.1"), small);
            var largeFile = Generate(Path.Combine(work, "large", "access.log.1"), lines);
            Console.WriteLine($"weblogs: {small:N0} and {lines:N0} generated combined lines ({new FileInfo(largeFile).Length / 1e6:N0} MB), UA rules warm-up {Warm()} ms");

            // 1. End to end at both sizes, each with its own peak memory (the process high-water mark is
            //    reset before each load where Linux allows it, so the larger load cannot hide behind the smaller).
            var smallRun = await EndToEndAsync(server!, smallFile, "small");
            var largeRun = await EndToEndAsync(server!, largeFile, "large");
            Console.WriteLine($"peak memory (resident, {Peak.Kind}) during the end-to-end load of {small:N0} lines: {smallRun.PeakBytes / 1048576.0:N0} MB (managed heap {smallRun.PeakManaged / 1048576.0:N0} MB); of {lines:N0} lines: {largeRun.PeakBytes / 1048576.0:N0} MB (managed heap {largeRun.PeakManaged / 1048576.0:N0} MB); ratio {(double)largeRun.PeakBytes / smallRun.PeakBytes:N2} (must not grow with size)");

            // 2. Parse only, one thread.
            var (split, splitSeconds) = SplitOnly(largeFile);
            var (parsed, parseSeconds) = ParseOnly(largeFile);
            Console.WriteLine($"parse only (1 thread): {parsed / parseSeconds:N0} lines/s ({parsed:N0} lines in {parseSeconds:N2} s); baseline line split: {split / splitSeconds:N0} lines/s; ratio {(parsed / parseSeconds) / (split / splitSeconds):N2}; target ≥ 1,000,000 lines/s");

            var (built, buildSeconds) = ParseOnly(largeFile, enrich: true);
            Console.WriteLine($"parse + enrich (user agent, visitor key, query; 1 thread, no database): {built / buildSeconds:N0} lines/s");

            // 3. End to end against the plain text COPY of the raw file lines into a one-column table
            //    (the baseline, as for orders), with the binary COPY of the parsed rows beside it.
            var rawSeconds = await RawLineCopyAsync(server!, largeFile);
            var copySeconds = await PlainCopyAsync(server!, largeFile);
            var e2eRate = largeRun.Rows / largeRun.Seconds;
            var rawRate = lines / rawSeconds;
            var copyRate = largeRun.Rows / copySeconds;
            Console.WriteLine("baseline = text COPY … FROM STDIN of the file's raw lines into a one-column table (text), in a fresh database.");
            Console.WriteLine("beside it: binary COPY of the same rows the load writes (parsed and built beforehand, untimed) into the same partitioned");
            Console.WriteLine("           core.web_event with its index, partitions created beforehand, in the same segments of one transaction each.");
            Console.WriteLine("end to end = read, parse, enrich (user agent, visitor key), COPY, quarantine, sessions, visitor links, file state, ledger, commits.");
            Console.WriteLine($"end to end files → warehouse: {e2eRate:N0} rows/s ({largeRun.Rows:N0} rows in {largeRun.Seconds:N1} s, {smallRun.Rows / smallRun.Seconds:N0} rows/s at {small:N0})");
            Console.WriteLine($"  raw-line text COPY: {rawRate:N0} lines/s ({rawSeconds:N1} s); ratio end to end / raw-line COPY {e2eRate / rawRate:N2}; target ≥ 0.50");
            Console.WriteLine($"  binary COPY of the rows into core.web_event: {copyRate:N0} rows/s ({copySeconds:N1} s); ratio {e2eRate / copyRate:N2}");
            BenchReport.Add("weblogs.lines", lines);
            BenchReport.Add("weblogs.small_lines", small);
            BenchReport.Add("weblogs.rows", largeRun.Rows);
            BenchReport.Add("weblogs.end_to_end_seconds", largeRun.Seconds);
            BenchReport.Add("weblogs.small_end_to_end_seconds", smallRun.Seconds);
            BenchReport.Add("weblogs.raw_line_copy_seconds", rawSeconds);
            BenchReport.Add("weblogs.row_binary_copy_seconds", copySeconds);
            BenchReport.Add("weblogs.end_to_end_rows_per_s", e2eRate);
            BenchReport.Add("weblogs.raw_line_copy_lines_per_s", rawRate);
            BenchReport.Add("weblogs.row_binary_copy_rows_per_s", copyRate);
            BenchReport.Add("weblogs.ratio_end_to_end_to_raw_line_copy", e2eRate / rawRate);
            BenchReport.Add("weblogs.ratio_end_to_end_to_row_binary_copy", e2eRate / copyRate);
            BenchReport.Add("weblogs.parse_lines_per_s", parsed / parseSeconds);
            BenchReport.Add("weblogs.peak_resident_mib", largeRun.PeakBytes / 1048576.0);
            BenchReport.Add("weblogs.small_peak_resident_mib", smallRun.PeakBytes / 1048576.0);
            BenchReport.Add("weblogs.phases", WebLogTimings.Describe());
            if (args.Contains("--copy-profile"))
            {
                // Where the server's share of the row COPY goes: the same rows without the table's one index,
                // and with the index but without the user agent's raw text (the widest column).
                var noIndexSeconds = await PlainCopyAsync(server!, largeFile, dropIndex: true);
                var noAgentSeconds = await PlainCopyAsync(server!, largeFile, dropAgentText: true);
                var partitionSeconds = await PlainCopyAsync(server!, largeFile, intoPartition: true);
                Console.WriteLine($"  copy profile: rows as loaded {copySeconds:N1} s; without the web_event_visitor index {noIndexSeconds:N1} s; with it but without the user_agent text {noAgentSeconds:N1} s; straight into the month's partition (no routing) {partitionSeconds:N1} s; raw lines {rawSeconds:N1} s");
                BenchReport.Add("weblogs.row_binary_copy_into_partition_seconds", partitionSeconds);
                BenchReport.Add("weblogs.row_binary_copy_no_index_seconds", noIndexSeconds);
                BenchReport.Add("weblogs.row_binary_copy_no_user_agent_seconds", noAgentSeconds);
            }

            return 0;
        }
        finally
        {
            if (embedded is not null)
            {
                await embedded.StopAsync();
            }

            Directory.Delete(work, recursive: true);
        }
    }

    private static int Arg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private static long Warm()
    {
        var watch = Stopwatch.StartNew();
        foreach (var agent in Agents)
        {
            UserAgentClassifier.Shared.Classify(agent);
        }

        return watch.ElapsedMilliseconds;
    }

    /// <summary>
    /// Combined lines as a busy shop writes them: 64 sessions interleaved at any moment, 8 hits each,
    /// from a pool of 50,000 visitors over 30 days; a fifth are assets, 5 % have "-" bytes.
    /// </summary>
    private static string Generate(string path, int count)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var random = new Random(42);
        var slots = new int[64];
        var start = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var step = TimeSpan.FromDays(30).Ticks / count;
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        var sb = new StringBuilder(512);
        for (var i = 0; i < count; i++)
        {
            var slot = i % slots.Length;
            if ((i / slots.Length) % 8 == 0)
            {
                slots[slot] = random.Next(50_000);
            }

            var visitor = slots[slot];
            var at = new DateTimeOffset(start.AddTicks(step * i), TimeSpan.Zero).ToOffset(TimeSpan.FromHours(1));
            var asset = random.Next(5) == 0;
            var target = asset ? $"/static/{random.Next(40)}.css" : random.Next(10) == 0 ? $"/p/{random.Next(500)}?utm_source=news&utm_campaign=c{random.Next(5)}" : $"/p/{random.Next(500)}";
            sb.Clear();
            sb.Append(CultureInfo.InvariantCulture, $"10.{visitor >> 16 & 255}.{visitor >> 8 & 255}.{visitor & 255} - - [");
            sb.Append(at.ToString("dd/MMM/yyyy:HH:mm:ss", CultureInfo.InvariantCulture)).Append(" +0100] \"GET ").Append(target).Append(" HTTP/1.1\" 200 ");
            sb.Append(random.Next(20) == 0 ? "-" : random.Next(100, 90_000).ToString(CultureInfo.InvariantCulture));
            sb.Append(" \"").Append(random.Next(3) == 0 ? "https://www.google.com/" : "-").Append("\" \"").Append(Agents[visitor % Agents.Length]).Append("\"\n");
            writer.Write(sb);
        }

        return path;
    }

    private static (long Lines, double Seconds) SplitOnly(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var reader = new RecordReader(stream, 64 * 1024);
        var watch = Stopwatch.StartNew();
        long lines = 0, bytes = 0;
        while (reader.TryRead(out var record))
        {
            lines++;
            bytes += record.Length;
        }

        GC.KeepAlive(bytes);
        return (lines, watch.Elapsed.TotalSeconds);
    }

    private static (long Lines, double Seconds) ParseOnly(string path, bool enrich = false)
    {
        var builder = new WebEventBuilder(new WebLogSourceOptions { Name = "bench", Format = "combined" }, UserAgentClassifier.Shared);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var reader = new RecordReader(stream, 64 * 1024);
        var parser = WebLogFormats.Create(new WebLogSourceOptions { Name = "bench" }, "combined", []);
        var hit = new WebHit();
        var watch = Stopwatch.StartNew();
        long lines = 0, checksum = 0;
        while (reader.TryRead(out var record))
        {
            if (parser.Parse(record, hit, out _) != LineKind.Hit)
            {
                throw new InvalidOperationException("generated line did not parse");
            }

            checksum += enrich ? builder.Build(record, hit, reader.RecordOffset).VisitorKey.Length : hit.TimestampUtcTicks + hit.Status + hit.UserAgent.Length;
            lines++;
        }

        GC.KeepAlive(checksum);
        return (lines, watch.Elapsed.TotalSeconds);
    }

    private static async Task<NpgsqlDataSource> FreshDatabaseAsync(string server, string name)
    {
        var db = $"bench_weblogs_{name}_{Environment.ProcessId}";
        return await BenchEnvironment.CreateDatabaseAsync(server, db);
    }

    private static async Task<(long Rows, double Seconds, long PeakBytes, long PeakManaged)> EndToEndAsync(string server, string path, string name)
    {
        await using var dataSource = await FreshDatabaseAsync(server, name);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        using var peak = Peak.Start();
        var options = new WebLogsOptions();
        var ingester = new WebLogIngester(dataSource, new Fixed(options), NullLogger<WebLogIngester>.Instance);
        var site = new WebLogSourceOptions { Name = "bench", Format = "combined" };
        WebLogTimings.Reset();
        var watch = Stopwatch.StartNew();
        var result = await ingester.IngestFileAsync(path, site, null, null, CancellationToken.None);
        var seconds = watch.Elapsed.TotalSeconds;
        Console.WriteLine($"  {name}: {seconds:N1} s = {WebLogTimings.Describe()}");
        if (result.Error is not null || !result.Counts.Reconciles || result.Counts.Quarantined != 0)
        {
            throw new InvalidOperationException("end-to-end load failed: " + result);
        }

        var (peakBytes, peakManaged) = peak.Stop();
        return (result.Counts.Loaded, seconds, peakBytes, peakManaged);
    }

    /// <summary>
    /// Times a text <c>COPY … FROM STDIN</c> of the file's bytes into a one-column table in a fresh
    /// database: what PostgreSQL needs just to take in the lines (the generated lines hold no tab or
    /// backslash, so each line is one value as it stands).
    /// </summary>
    private static async Task<double> RawLineCopyAsync(string server, string path)
    {
        await using var dataSource = await FreshDatabaseAsync(server, "raw");
        await using (var create = dataSource.CreateCommand("create table raw_line (line text)"))
        {
            await create.ExecuteNonQueryAsync();
        }

        var watch = Stopwatch.StartNew();
        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            await using var writer = await connection.BeginTextImportAsync("copy raw_line (line) from stdin");
            using var input = new StreamReader(path, Encoding.UTF8, false, 1 << 20);
            var buffer = new char[1 << 16];
            int read;
            while ((read = await input.ReadAsync(buffer)) > 0)
            {
                await writer.WriteAsync(buffer.AsMemory(0, read));
            }
        }

        return watch.Elapsed.TotalSeconds;
    }

    /// <summary>Times only the binary COPY of the rows the ingester would write, segment by segment, into a fresh database.</summary>
    private static async Task<double> PlainCopyAsync(string server, string path, bool dropIndex = false, bool dropAgentText = false, bool intoPartition = false)
    {
        await using var dataSource = await FreshDatabaseAsync(server, dropIndex ? "copy_noindex" : dropAgentText ? "copy_noagent" : intoPartition ? "copy_partition" : "copy");
        var site = new WebLogSourceOptions { Name = "bench", Format = "combined" };
        var parser = WebLogFormats.Create(site, "combined", []);
        var builder = new WebEventBuilder(site, UserAgentClassifier.Shared);
        var partitions = new HashSet<int>();
        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            // The same months as the load; created up front so only COPY is timed.
            for (var m = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc); m < new DateTime(2024, 3, 1, 0, 0, 0, DateTimeKind.Utc); m = m.AddMonths(1))
            {
                var key = m.Year * 100 + m.Month;
                partitions.Add(key);
                await using var create = new NpgsqlCommand(string.Create(CultureInfo.InvariantCulture,
                    $"create table core.web_event_p{key} partition of core.web_event for values from ('{m:yyyy-MM-dd}') to ('{m.AddMonths(1):yyyy-MM-dd}')"), connection);
                await create.ExecuteNonQueryAsync();
            }

            if (dropIndex)
            {
                await using var drop = new NpgsqlCommand("drop index core.web_event_visitor", connection);
                await drop.ExecuteNonQueryAsync();
            }
        }

        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var reader = new RecordReader(stream, 64 * 1024);
        var hit = new WebHit();
        var rows = new List<WebEventRow>(80_000);
        double seconds = 0;
        long segmentStart = 0;
        while (true)
        {
            var more = reader.TryRead(out var record);
            if (more)
            {
                parser.Parse(record, hit, out _);
                var row = builder.Build(record, hit, reader.RecordOffset);
                if (dropAgentText)
                {
                    row.UserAgent = null;
                }

                rows.Add(row);
            }

            if (rows.Count > 0 && (!more || reader.CommittedOffset - segmentStart >= site.SegmentBytes))
            {
                await using var connection = await dataSource.OpenConnectionAsync();
                await using var transaction = await connection.BeginTransactionAsync();
                var watch = Stopwatch.StartNew();
                // Straight into the partition: the generated month is January 2024 (30 days from its first).
                await WebLogIngester.CopyEventsAsync(connection, "bench", "file", 1, rows, CancellationToken.None, intoPartition ? "web_event_p202401" : null);
                await transaction.CommitAsync();
                seconds += watch.Elapsed.TotalSeconds;
                rows.Clear();
                segmentStart = reader.CommittedOffset;
            }

            if (!more)
            {
                break;
            }
        }

        return seconds;
    }

    private sealed class Fixed(WebLogsOptions value) : IOptionsMonitor<WebLogsOptions>
    {
        public WebLogsOptions CurrentValue => value;

        public WebLogsOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<WebLogsOptions, string?> listener) => null;
    }
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Crm.IntegrationTests.Email;
using Crm.IntegrationTests.Infrastructure;
using Crm.IntegrationTests.WebLogs;
using Crm.Pipeline.Jobs;
using Crm.Pipeline.Sources;
using Crm.Pipeline.Sources.Orders;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Crm.IntegrationTests.Fuzz;

/// <summary>
/// Issue 16: each parser gets real lines from tests/data, mutated (seeded, a fixed number of cases), through its real
/// loader into a real warehouse. No exception escapes, and every line written is loaded, a duplicate or quarantined:
/// the counts add up to the lines the test wrote, and each quarantined one has its row.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed partial class ParserFuzzTests(PostgresCluster cluster) : IDisposable
{
    private const int Lines = 300;
    private readonly string _dir = Directory.CreateTempSubdirectory("crm-fuzz-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<string, string> OrderFiles => new()
    {
        { "shopify-orders.csv", "shopify" },
        { "woocommerce-orders.csv", "woocommerce" },
        { "magento-orders.csv", "magento" },
        { "amazon-order-report.txt", "amazon" },
        { "uci-online-retail.csv", "uci-online-retail" },
        { "european-semicolon.csv", "european-semicolon" },
        { "cdnow-master.txt", "cdnow-master" },
    };

    [Theory]
    [MemberData(nameof(OrderFiles))]
    public async Task OrderRows_MutatedRealRows_AreEachLoadedOrQuarantined(string file, string feedName)
    {
        var feed = TestData.LoadFeed(feedName);
        var source = await File.ReadAllBytesAsync(Path.Combine(TestData.PublicData, "orders", file));
        var quote = (byte)'"';
        var records = SplitRecords(source, quote);
        var header = feed.HasHeader ? records[0] : null;
        var rows = records.Skip(feed.HasHeader ? 1 : 0).Where(l => !IsBlank(l)).ToList();
        var mutator = new Mutator(file.Length * 7919);
        // No line break or quote is added, and a mutation that would end the record early or run it on into the
        // next (a quote moved past a line break in a quoted field) is taken back: the records are the rows written.
        // A NUL is left out too: one in a file's first 4 KB fails the file as not text, by design (FeedText).
        var forbidden = new byte[] { (byte)'\n', (byte)'\r', quote, 0 };
        var written = new List<byte>();
        var physical = 0; // lines written so far
        var starts = new List<int>(); // the line number each row starts at
        void Write(byte[] record, bool isRow)
        {
            if (isRow)
            {
                starts.Add(physical + 1);
            }

            written.AddRange(record);
            written.AddRange("\r\n"u8.ToArray());
            physical += 1 + record.Count(b => b == '\n');
        }

        if (header is not null)
        {
            Write(header, isRow: false);
        }

        // The first 4 KB stay real rows: a file whose start is not text fails whole, by design (FeedText).
        while (written.Count < 4096)
        {
            Write(mutator.Pick(rows), isRow: true);
        }

        for (var i = 0; i < Lines; i++)
        {
            var original = mutator.Pick(rows);
            var line = mutator.Line(original, forbidden);
            if (line.Count(b => b == quote) % 2 != 0 || SplitRecords(line, quote) is not [var one] || one.Length != line.Length || IsBlank(line))
            {
                line = original;
            }

            Write(line, isRow: true);
        }

        var path = Path.Combine(_dir, Path.GetFileNameWithoutExtension(file) + ".fuzz" + Path.GetExtension(file));
        await File.WriteAllBytesAsync(path, [.. written]);
        await using var ds = await cluster.CreateMigratedDatabaseAsync("fuzz_orders");

        var result = await new OrderFeedIngester(ds, NullLogger<OrderFeedIngester>.Instance).IngestFileAsync(path, feed, null, CancellationToken.None);

        Assert.True(result.Error is null, result.ToString());
        Assert.True(result.Counts.Reconciles, result.ToString());
        Assert.Equal(result.Counts.Quarantined, await ds.ScalarAsync<long>("select count(*) from quarantine.record where reason <> ''"));
        // Every row written is staged (loaded or a duplicate) or quarantined, at its line, and never both.
        Assert.Equal(string.Join(',', starts) + "|0", await ds.ScalarAsync<string>(
            """
            with staged as (select distinct line_number from staging.order_line), rejected as (select line_number from quarantine.record)
            select concat_ws('|', (select string_agg(line_number::text, ',' order by line_number) from (select * from staged union all select * from rejected) t),
                              (select count(*) from staged join rejected using (line_number)))
            """));
    }

    public static TheoryData<string> WebLogFormats => ["combined", "common", "nginx", "w3c", "json"];

    [Theory]
    [MemberData(nameof(WebLogFormats))]
    public async Task WebLogLines_MutatedRealLines_AreEachLoadedOrQuarantined(string format)
    {
        var real = File.ReadLines(Path.Combine(TestData.PublicData, "weblogs", "apache_logs")).Take(400).Select(Combined).OfType<Access>().ToList();
        var (header, render) = format switch
        {
            "combined" or "nginx" => ((string?)null, (Func<Access, string>)(a => a.Line)),
            "common" => (null, a => $"{a.Ip} - - [{a.Time}] \"{a.Request}\" {a.Status} {a.Bytes}"),
            "w3c" => ("#Software: Microsoft Internet Information Services 10.0\n#Fields: date time c-ip cs-method cs-uri-stem cs-uri-query sc-status sc-bytes cs(User-Agent) cs(Referer)",
                a => W3c(a)),
            _ => (null, a => JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["time"] = DateTimeOffset.ParseExact(a.Time, "dd/MMM/yyyy:HH:mm:ss zzz", CultureInfo.InvariantCulture).ToString("o", CultureInfo.InvariantCulture),
                ["remote_addr"] = a.Ip, ["request"] = a.Request, ["status"] = int.Parse(a.Status, CultureInfo.InvariantCulture),
                ["body_bytes_sent"] = a.Bytes, ["http_referer"] = a.Referrer, ["http_user_agent"] = a.Agent,
            })),
        };
        var mutator = new Mutator(format.Length * 104729);
        var bytes = new List<byte>();
        if (header is not null)
        {
            bytes.AddRange(Encoding.UTF8.GetBytes(header + "\n"));
        }

        for (var i = 0; i < Lines; i++)
        {
            var line = mutator.Line(Encoding.UTF8.GetBytes(render(mutator.Pick(real))), [(byte)'\n']);
            // A line a format skips (blank, or a W3C directive) is not a hit to account for: keep it a data line.
            if (IsBlank(line) || line[0] == '#')
            {
                line = [(byte)'x', .. line];
            }

            bytes.AddRange(line);
            bytes.Add((byte)'\n');
        }

        var path = Path.Combine(_dir, "access.log");
        await File.WriteAllBytesAsync(path, [.. bytes]);
        await using var ds = await cluster.CreateMigratedDatabaseAsync("fuzz_weblogs");
        var site = WebLogTestKit.Site();
        site.Format = format;

        var results = await WebLogTestKit.Ingester(ds).IngestAsync([path], site, null, null, NullProgressSink.Instance, CancellationToken.None);

        var result = Assert.Single(results);
        Assert.True(result.Error is null, result.ToString());
        Assert.Equal(Lines, result.Counts.Loaded + result.Counts.Quarantined);
        Assert.True(result.Counts.Reconciles, result.ToString());
        Assert.Equal(result.Counts.Loaded, await ds.ScalarAsync<long>("select count(*) from core.web_event"));
        Assert.Equal(result.Counts.Quarantined, await ds.ScalarAsync<long>("select count(*) from quarantine.record where reason <> ''"));
    }

    [Fact]
    public async Task MimeMessages_MutatedRealMessages_InFilesAndAnMbox_AreEachLoadedOrQuarantined()
    {
        var messages = Directory.GetFiles(Path.Combine(TestData.PublicData, "email", "mimekit"), "*", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith(".mbox.txt", StringComparison.Ordinal) && !f.EndsWith("SHA256SUMS", StringComparison.Ordinal) && !f.EndsWith(".md", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(File.ReadAllBytes)
            .ToList();
        var mutator = new Mutator(16);
        var drop = Directory.CreateDirectory(Path.Combine(_dir, "drop")).FullName;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        // Single files: the first bytes stay, so none turns into an mbox ("From " at the start) by chance.
        for (var i = 0; seen.Count < 80; i++)
        {
            var mutated = mutator.Message(mutator.Pick(messages), keepPrefix: 6);
            if (seen.Add(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(mutated))))
            {
                await File.WriteAllBytesAsync(Path.Combine(drop, $"m{i:000}.eml"), mutated);
            }
        }

        // An mbox of mutated messages: a body line that now starts with "From " is escaped, as mbox writers do,
        // so the separators the test wrote are the only ones.
        const int MboxMessages = 60;
        var mbox = new List<byte>();
        for (var i = 0; i < MboxMessages; i++)
        {
            var body = Encoding.Latin1.GetString(mutator.Message(mutator.Pick(messages), keepPrefix: 0)).ReplaceLineEndings("\n");
            body = FromLine().Replace(body, ">From ");
            mbox.AddRange(Encoding.Latin1.GetBytes($"From fuzz@example.org Mon Nov  2 09:{i:00}:00 2026\n{body.TrimEnd('\n')}\n\n"));
        }

        await File.WriteAllBytesAsync(Path.Combine(drop, "fuzz.mbox"), [.. mbox]);
        await using var ds = await cluster.CreateMigratedDatabaseAsync("fuzz_email");

        var results = await EmailTestKit.Files(ds).IngestAsync([drop], null, NullProgressSink.Instance, CancellationToken.None);

        Assert.Equal(81, results.Count);
        Assert.All(results, r => Assert.True(r.Error is null && r.Counts.Reconciles, r.ToString()));
        Assert.All(results.Where(r => r.Unit.EndsWith(".eml", StringComparison.Ordinal)), r => Assert.Equal(1, r.Counts.Read));
        var mboxResult = results.Single(r => r.Unit.EndsWith(".mbox", StringComparison.Ordinal));
        Assert.True(MboxMessages == mboxResult.Counts.Read, mboxResult + " " + await ds.ScalarAsync<string>(
            "select string_agg(line_number || ':' || byte_offset || ':' || reason, E'\\n') from quarantine.record where unit_path like '%.mbox'"));
        var total = results.Aggregate(default(IngestCounts), (a, r) => a + r.Counts);
        Assert.Equal(total.Loaded, await ds.ScalarAsync<long>("select count(*) from core.email"));
        Assert.Equal(total.Quarantined, await ds.ScalarAsync<long>("select count(*) from quarantine.record where source = 'email' and reason <> ''"));
    }

    private static string W3c(Access a)
    {
        var at = DateTimeOffset.ParseExact(a.Time, "dd/MMM/yyyy:HH:mm:ss zzz", CultureInfo.InvariantCulture).UtcDateTime;
        var parts = a.Request.Split(' ');
        var target = parts.Length > 1 ? parts[1] : "/";
        var q = target.IndexOf('?', StringComparison.Ordinal);
        static string Field(string s) => s.Length == 0 ? "-" : s.Replace(' ', '+');
        return string.Join(' ', at.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), a.Ip, parts[0],
            Field(q < 0 ? target : target[..q]), Field(q < 0 ? "" : target[(q + 1)..]), a.Status, a.Bytes, Field(a.Agent), Field(a.Referrer));
    }

    private static Access? Combined(string line)
    {
        var m = CombinedLine().Match(line);
        return m.Success
            ? new Access(line, m.Groups[1].Value, m.Groups[2].Value, m.Groups[3].Value, m.Groups[4].Value, m.Groups[5].Value, m.Groups[6].Value, m.Groups[7].Value)
            : null;
    }

    /// <summary>The records of CSV text: split at line breaks outside quotes (RFC 4180), without their line break.</summary>
    private static List<byte[]> SplitRecords(byte[] bytes, byte quote)
    {
        var lines = new List<byte[]>();
        var start = 0;
        var quoted = false;
        for (var i = 0; i <= bytes.Length; i++)
        {
            if (i < bytes.Length && bytes[i] == quote)
            {
                quoted = !quoted;
            }

            if (i == bytes.Length || (bytes[i] == '\n' && !quoted))
            {
                var end = i > start && bytes[i - 1] == '\r' ? i - 1 : i;
                if (i < bytes.Length || end > start)
                {
                    lines.Add(bytes[start..end]);
                }

                start = i + 1;
            }
        }

        return lines;
    }

    private static bool IsBlank(byte[] line) => line.AsSpan().Trim(" \t\r"u8).IsEmpty;

    [GeneratedRegex("""^(\S+) \S+ \S+ \[([^\]]+)\] "([^"]*)" (\d{3}) (\S+) "([^"]*)" "([^"]*)"$""")]
    private static partial Regex CombinedLine();

    [GeneratedRegex("^From ", RegexOptions.Multiline)]
    private static partial Regex FromLine();

    private sealed record Access(string Line, string Ip, string Time, string Request, string Status, string Bytes, string Referrer, string Agent);
}

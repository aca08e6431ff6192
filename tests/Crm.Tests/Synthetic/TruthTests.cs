using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Crm.Synthetic;

namespace Crm.Tests.Synthetic;

/// <summary>The truth files describe the data: every identifier in the data has a truth entry, and faults and duplicates are where the truth says.</summary>
public sealed partial class TruthTests : IClassFixture<TruthTests.Company>
{
    private readonly GeneratedCompany _c;

    public TruthTests(Company company) => _c = company.Generated;

    public sealed class Company : IDisposable
    {
        public GeneratedCompany Generated { get; } = new(new GeneratorOptions
        {
            Customers = 800, Days = 90, Seed = 21, OrderFaultRate = 0.03, WebFaultRate = 0.005, EmailFaultRate = 0.05,
            CampaignReach = 0.3, ClickRate = 0.3, QuestionsPerYear = 1, DuplicateRate = 0.5,
        });

        public void Dispose() => Generated.Dispose();
    }

    private HashSet<(string Source, string Id)> Records() => _c.Truth("records.csv").Select(r => (r[0], r[1])).ToHashSet();

    private HashSet<(string File, long Line)> FaultLines(params string[] kinds) => _c.Truth("faults.csv")
        .Where(f => kinds.Contains(f[0])).Select(f => (f[1], long.Parse(f[2], CultureInfo.InvariantCulture))).ToHashSet();

    [Fact]
    public void EveryOrderCustomerIdAndEmail_HasATruthRecord()
    {
        var records = Records();
        var faulty = FaultLines("truncated", "bad_encoding", "missing_date", "bad_number", "enormous_field");
        var checkedRows = 0;
        foreach (var path in _c.Files("orders"))
        {
            var file = _c.Relative(path);
            var lines = GeneratedCompany.Lines(path);
            for (var i = 0; i < lines.Count; i++)
            {
                if (faulty.Contains((file, i + 1)) || lines[i].Length == 0)
                {
                    continue;
                }

                string feed, customer, email;
                if (file.Contains(".csv", StringComparison.Ordinal))
                {
                    if (i == 0)
                    {
                        continue;
                    }

                    var f = GeneratedCompany.SplitCsv(lines[i]);
                    (feed, customer, email) = ("orders:synthetic-csv", f[2], f[3]);
                }
                else
                {
                    using var doc = JsonDocument.Parse(lines[i]);
                    var c = doc.RootElement.GetProperty("customer");
                    (feed, customer, email) = ("orders:synthetic-jsonl", c.GetProperty("id").GetString()!, c.GetProperty("email").GetString()!);
                }

                Assert.Contains((feed, customer), records);
                Assert.Contains(("email", email.ToLowerInvariant()), records);
                checkedRows++;
            }
        }

        Assert.True(checkedRows > 800, $"only {checkedRows} order rows checked");
    }

    [Fact]
    public void EveryLoginUidTrackingTokenAndCustomerVisitorInTheWebLogs_HasATruthRecord()
    {
        var records = Records();
        var customerIds = records.Where(r => r.Source.StartsWith("orders:", StringComparison.Ordinal)).Select(r => r.Id).ToHashSet();
        var visitors = records.Where(r => r.Source == "weblogs:visitor").Select(r => r.Id).ToHashSet();
        int uids = 0, tokens = 0, knownVisitors = 0;
        foreach (var path in _c.Files("weblogs", "access.log-*"))
        {
            foreach (var line in GeneratedCompany.Lines(path))
            {
                foreach (Match m in UidPattern().Matches(line))
                {
                    Assert.Contains(m.Groups[1].Value, customerIds);
                    uids++;
                }

                foreach (Match m in TokenPattern().Matches(line))
                {
                    Assert.Contains(("tracking", m.Groups[1].Value), records);
                    tokens++;
                }

                // A visitor who logs in is a customer, so their vid cookie is in the truth.
                var vid = VidPattern().Match(line);
                if (vid.Success && line.Contains("uid=", StringComparison.Ordinal))
                {
                    Assert.Contains(vid.Groups[1].Value, visitors);
                    knownVisitors++;
                }
            }
        }

        Assert.True(uids > 100 && tokens > 5 && knownVisitors > 10, $"uids {uids}, tokens {tokens}, visitors {knownVisitors}");
    }

    [Fact]
    public void EveryCustomerMailAddress_HasATruthRecord_AndThreadsLinkUp()
    {
        var records = Records();
        var messageIds = new HashSet<string>();
        var replies = new List<string>();
        var parser = 0;
        foreach (var path in _c.Files("email/eml", "*.eml"))
        {
            if (new FileInfo(path).Length == 0)
            {
                continue;
            }

            var text = File.ReadAllText(path, Encoding.Latin1);
            foreach (var address in AddressPattern().Matches(text).Select(m => m.Groups[1].Value))
            {
                if (!address.EndsWith("@shop.example", StringComparison.Ordinal))
                {
                    Assert.Contains(("email", address.ToLowerInvariant()), records);
                    parser++;
                }
            }

            var id = MessageIdPattern().Match(text);
            if (id.Success)
            {
                messageIds.Add(id.Groups[1].Value);
            }

            var reply = InReplyToPattern().Match(text);
            if (reply.Success)
            {
                replies.Add(reply.Groups[1].Value);
            }
        }

        foreach (var path in _c.Files("email/mbox", "*.mbox"))
        {
            var text = File.ReadAllText(path, Encoding.Latin1);
            messageIds.UnionWith(MessageIdPattern().Matches(text).Select(m => m.Groups[1].Value));
        }

        Assert.True(parser > 20, $"only {parser} customer addresses seen in .eml files");
        // A reply points at a message that exists (unless that one fell before the period).
        Assert.True(replies.Count(messageIds.Contains) >= replies.Count * 9 / 10, "replies do not link to their messages");
    }

    [Fact]
    public void InjectedOrderFaults_AreBadRecordsAtTheLinesTheTruthNames()
    {
        var faults = _c.Truth("faults.csv").Where(f => f[1].StartsWith("orders/", StringComparison.Ordinal) && f[2] != "0").ToList();
        Assert.True(faults.Count >= 5, $"only {faults.Count} order faults");
        foreach (var f in faults)
        {
            var raw = GeneratedCompany.RawLines(Path.Combine(_c.Root, f[1]))[int.Parse(f[2], CultureInfo.InvariantCulture) - 1];
            var text = Encoding.UTF8.GetString(raw);
            switch (f[0])
            {
                case "bad_encoding":
                    Assert.False(System.Text.Unicode.Utf8.IsValid(raw), $"{f[1]}:{f[2]} is valid UTF-8");
                    break;
                case "enormous_field":
                    Assert.True(raw.Length > 65536, $"{f[1]}:{f[2]} is only {raw.Length} bytes");
                    break;
                case "truncated" when f[1].Contains(".csv", StringComparison.Ordinal):
                    Assert.NotEqual(OrderRenderer.CsvColumns.Length, GeneratedCompany.SplitCsv(text).Length);
                    break;
                case "truncated":
                    Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(text));
                    break;
                case "missing_date" when f[1].Contains(".csv", StringComparison.Ordinal):
                    Assert.Equal("", GeneratedCompany.SplitCsv(text)[1]);
                    break;
                case "missing_date":
                    Assert.DoesNotContain("created_at", text, StringComparison.Ordinal);
                    break;
                case "bad_number":
                    Assert.True(text.Contains("N/A", StringComparison.Ordinal) || GeneratedCompany.SplitCsv(text)[12] == "two", text);
                    break;
            }
        }
    }

    [Fact]
    public void OutOfOrderWebLines_HaveTimestampsEarlierThanALineBefore()
    {
        var faults = FaultLines("out_of_order");
        Assert.NotEmpty(faults);
        foreach (var (file, line) in faults.Where(f => f.File.Contains("/www/", StringComparison.Ordinal)))
        {
            var lines = GeneratedCompany.Lines(Path.Combine(_c.Root, file));
            var at = CombinedTime(lines[(int)line - 1]);
            var latestBefore = lines.Take((int)line - 1).Select(CombinedTime).Where(t => t.HasValue).Max();
            Assert.True(at < latestBefore, $"{file}:{line} is in order");
        }
    }

    [Fact]
    public void Duplicates_AppearInTheOrdersUnderTheirSecondCustomerId()
    {
        var duplicates = _c.Truth("duplicates.csv");
        Assert.True(duplicates.Count > 10, $"only {duplicates.Count} duplicates");
        var seen = new HashSet<string>();
        foreach (var path in _c.Files("orders"))
        {
            foreach (var line in GeneratedCompany.Lines(path))
            {
                foreach (Match m in CustomerIdPattern().Matches(line))
                {
                    seen.Add(m.Value);
                }
            }
        }

        var persons = _c.Truth("persons.csv").ToDictionary(p => p[0], p => p[6]);
        foreach (var d in duplicates)
        {
            Assert.Equal(persons[d[0]], d[1]);
            Assert.NotEqual(d[1], d[2]);
            Assert.Contains(d[2], seen);
        }
    }

    private static DateTimeOffset? CombinedTime(string line)
    {
        var open = line.IndexOf('[', StringComparison.Ordinal);
        var close = line.IndexOf(']', StringComparison.Ordinal);
        if (open < 0 || close < open)
        {
            return null;
        }

        return DateTimeOffset.TryParseExact(line[(open + 1)..close], "dd/MMM/yyyy:HH:mm:ss zzz", CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) ? t : null;
    }

    [GeneratedRegex(@"[?&]uid=(C\d{10})")]
    private static partial Regex UidPattern();

    [GeneratedRegex(@"crm_tid=([0-9a-f]{12})")]
    private static partial Regex TokenPattern();

    [GeneratedRegex(@"vid=""([0-9a-f]{16})""")]
    private static partial Regex VidPattern();

    [GeneratedRegex(@"^(?:From|To): .*?<?([\w.+-]+@[\w.-]+)>?\r?$", RegexOptions.Multiline)]
    private static partial Regex AddressPattern();

    [GeneratedRegex(@"^Message-Id: <([^>]+)>", RegexOptions.Multiline)]
    private static partial Regex MessageIdPattern();

    [GeneratedRegex(@"^In-Reply-To: <([^>]+)>", RegexOptions.Multiline)]
    private static partial Regex InReplyToPattern();

    [GeneratedRegex(@"C\d{10}")]
    private static partial Regex CustomerIdPattern();
}

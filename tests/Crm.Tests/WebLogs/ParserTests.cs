using System.Text;
using Crm.Pipeline.Sources.WebLogs;

namespace Crm.Tests.WebLogs;

/// <summary>Each format on real-looking lines (the combined line is line 1 of tests/data/weblogs/apache_logs).</summary>
public sealed class ParserTests
{
    private static readonly WebLogSourceOptions Site = new() { Name = "t" };

    private static (WebHit Hit, byte[] Line) Parse(IWebLogLineParser parser, string line)
    {
        var bytes = Encoding.UTF8.GetBytes(line);
        var hit = new WebHit();
        var kind = parser.Parse(bytes, hit, out var reason);
        Assert.True(kind == LineKind.Hit, reason);
        return (hit, bytes);
    }

    private static string Field(WebHit hit, byte[] line, FieldRef field) =>
        field.IsPresent ? Encoding.UTF8.GetString(WebHit.Get(hit.Source(line), field)) : "<none>";

    private static DateTime Utc(WebHit hit) => new(hit.TimestampUtcTicks, DateTimeKind.Utc);

    [Fact]
    public void Combined_RealApacheLine_AllFields()
    {
        var parser = WebLogFormats.Create(Site, "combined", []);
        var (hit, line) = Parse(parser,
            "83.149.9.216 - - [17/May/2015:10:05:03 +0000] \"GET /presentations/logstash-monitorama-2013/images/kibana-search.png HTTP/1.1\" 200 203023 \"http://semicomplete.com/presentations/logstash-monitorama-2013/\" \"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36\"");
        Assert.Equal("83.149.9.216", Field(hit, line, hit.Host));
        Assert.Equal(new DateTime(2015, 5, 17, 10, 5, 3, DateTimeKind.Utc), Utc(hit));
        Assert.Equal("GET", Field(hit, line, hit.Method));
        Assert.Equal("/presentations/logstash-monitorama-2013/images/kibana-search.png", Field(hit, line, hit.Target));
        Assert.Equal("HTTP/1.1", Field(hit, line, hit.Protocol));
        Assert.Equal(200, hit.Status);
        Assert.Equal(203023, hit.Bytes);
        Assert.Equal("http://semicomplete.com/presentations/logstash-monitorama-2013/", Field(hit, line, hit.Referer));
        Assert.StartsWith("Mozilla/5.0 (Macintosh", Field(hit, line, hit.UserAgent), StringComparison.Ordinal);
        Assert.Equal("<none>", Field(hit, line, hit.User));
    }

    [Fact]
    public void Combined_OffsetDashBytesAndEscapedQuote_AreHandled()
    {
        var parser = WebLogFormats.Create(Site, "combined", []);
        var (hit, line) = Parse(parser,
            "2001:db8::7 - alice [01/Jan/2024:00:30:00 +0530] \"HEAD /x?a=1 HTTP/1.0\" 304 - \"-\" \"Agent \\\"quoted\\\" 1.0\"");
        Assert.Equal(new DateTime(2023, 12, 31, 19, 0, 0, DateTimeKind.Utc), Utc(hit));
        Assert.Equal(-1, hit.Bytes);
        Assert.Equal("alice", Field(hit, line, hit.User));
        Assert.Equal("<none>", Field(hit, line, hit.Referer));
        Assert.Equal("Agent \\\"quoted\\\" 1.0", Field(hit, line, hit.UserAgent));
        Assert.Equal("/x?a=1", Field(hit, line, hit.Target));
    }

    [Fact]
    public void Common_LineWithoutReferrerAndAgent_Parses()
    {
        var parser = WebLogFormats.Create(Site, "common", []);
        var (hit, line) = Parse(parser, "127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /apache_pb.gif HTTP/1.0\" 200 2326");
        Assert.Equal(new DateTime(2000, 10, 10, 20, 55, 36, DateTimeKind.Utc), Utc(hit));
        Assert.Equal("frank", Field(hit, line, hit.User));
        Assert.Equal(2326, hit.Bytes);
    }

    [Fact]
    public void NginxDefault_Line_Parses()
    {
        var parser = WebLogFormats.Create(Site, "nginx", []);
        var (hit, line) = Parse(parser,
            "93.180.71.3 - - [17/May/2015:08:05:32 +0000] \"GET /downloads/product_1 HTTP/1.1\" 304 0 \"-\" \"Debian APT-HTTP/1.3 (0.8.16~exp12ubuntu10.21)\"");
        Assert.Equal(304, hit.Status);
        Assert.Equal(0, hit.Bytes);
        Assert.Equal("/downloads/product_1", Field(hit, line, hit.Target));
    }

    [Fact]
    public void CustomApacheLogFormat_WithCookieAndDuration_Parses()
    {
        var site = new WebLogSourceOptions { Name = "t", Format = "custom", LogFormat = "%a %l %u %t \\\"%r\\\" %>s %O \\\"%{Referer}i\\\" \\\"%{User-Agent}i\\\" %D \\\"%{Cookie}i\\\"" };
        var parser = WebLogFormats.Create(site, null, []);
        var (hit, line) = Parse(parser,
            "10.1.2.3 - - [05/Mar/2024:14:02:11 +0100] \"POST /cart/add?sku=42 HTTP/2.0\" 302 512 \"https://shop.example/p/42\" \"Mozilla/5.0 (X11; Linux x86_64; rv:123.0) Gecko/20100101 Firefox/123.0\" 5123 \"sid=abc123; uid=C77\"");
        Assert.Equal("POST", Field(hit, line, hit.Method));
        Assert.Equal("sid=abc123; uid=C77", Field(hit, line, hit.Cookie));
        Assert.Equal(new DateTime(2024, 3, 5, 13, 2, 11, DateTimeKind.Utc), Utc(hit));
        Assert.Equal(302, hit.Status);
    }

    [Fact]
    public void CustomNginxLogFormat_WithIsoTimeAndExtraFields_Parses()
    {
        var site = new WebLogSourceOptions
        {
            Name = "t",
            Format = "custom",
            LogFormat = "$remote_addr - $remote_user [$time_iso8601] \"$request_method $request_uri $server_protocol\" $status $body_bytes_sent \"$http_referer\" \"$http_user_agent\" rt=$request_time uct=\"$upstream_connect_time\"",
        };
        var parser = WebLogFormats.Create(site, null, []);
        var (hit, line) = Parse(parser,
            "172.16.0.9 - bob [2024-07-01T23:59:59-04:00] \"GET /search?q=red+shoes&utm_source=google HTTP/1.1\" 200 1043 \"-\" \"Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1\" rt=0.012 uct=\"0.001\"");
        Assert.Equal(new DateTime(2024, 7, 2, 3, 59, 59, DateTimeKind.Utc), Utc(hit));
        Assert.Equal("/search?q=red+shoes&utm_source=google", Field(hit, line, hit.Target));
        Assert.Equal("bob", Field(hit, line, hit.User));
    }

    [Fact]
    public void W3c_IisLinesWithFieldsHeader_Parse()
    {
        var parser = WebLogFormats.Create(Site, "w3c", []);
        var hit = new WebHit();
        Assert.Equal(LineKind.Directive, parser.Parse("#Software: Microsoft Internet Information Services 10.0"u8, hit, out _));
        Assert.Equal(LineKind.Directive, parser.Parse("#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken"u8, hit, out _));
        var (h, line) = Parse(parser,
            "2024-02-29 23:15:02 10.0.0.4 GET /products/list.aspx cat=3&utm_campaign=spring 443 - 198.51.100.23 Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/122.0.0.0+Safari/537.36 https://www.bing.com/ 200 0 0 187");
        Assert.Equal(new DateTime(2024, 2, 29, 23, 15, 2, DateTimeKind.Utc), Utc(h));
        Assert.Equal("/products/list.aspx", Field(h, line, h.Target));
        Assert.Equal("cat=3&utm_campaign=spring", Field(h, line, h.Query));
        Assert.StartsWith("Mozilla/5.0 (Windows NT 10.0; Win64; x64)", Field(h, line, h.UserAgent), StringComparison.Ordinal);
        Assert.Equal("198.51.100.23", Field(h, line, h.Host));
        Assert.Equal(-1, h.Bytes);

        // The header carries over to a parser resuming mid-file.
        var resumed = WebLogFormats.Create(Site, "w3c", []);
        resumed.State = parser.State;
        Assert.Equal(LineKind.Hit, resumed.Parse(line, new WebHit(), out _));
    }

    [Fact]
    public void Json_LinesWithMapping_Parse()
    {
        var site = new WebLogSourceOptions { Name = "t", Format = "json", JsonFields = new(StringComparer.OrdinalIgnoreCase) { ["user_agent"] = "ua", ["time"] = "ts" } };
        var parser = WebLogFormats.Create(site, null, []);
        var (hit, line) = Parse(parser,
            "{\"ts\":\"2024-09-09T09:09:09.123+02:00\",\"remote_addr\":\"203.0.113.50\",\"request\":\"GET /p/\\u00e9t\\u00e9?x=1 HTTP/1.1\",\"status\":200,\"body_bytes_sent\":77,\"http_referer\":\"\",\"ua\":\"Mozilla/5.0 \\\"x\\\"\",\"nested\":{\"status\":500}}");
        Assert.Equal(new DateTime(2024, 9, 9, 7, 9, 9, 123, DateTimeKind.Utc), Utc(hit));
        Assert.Equal("/p/été?x=1", Field(hit, line, hit.Target));
        Assert.Equal("GET", Field(hit, line, hit.Method));
        Assert.Equal(200, hit.Status);
        Assert.Equal(77, hit.Bytes);
        Assert.Equal("Mozilla/5.0 \"x\"", Field(hit, line, hit.UserAgent));
        Assert.Equal("<none>", Field(hit, line, hit.Referer));
    }

    [Theory]
    [InlineData("#Fields: date time cs-uri-stem", "w3c")]
    [InlineData("{\"time\":\"2024-01-01T00:00:00Z\"}", "json")]
    [InlineData("127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 2326 \"-\" \"curl/8\"", "combined")]
    [InlineData("127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 2326", "common")]
    public void Detect_PicksTheFormatOfTheFirstLines(string first, string expected)
    {
        var parser = WebLogFormats.Detect(Site, [Encoding.UTF8.GetBytes(first)]);
        Assert.Equal(expected, parser.FormatName);
    }

    [Theory]
    [InlineData("1.2.3.4 - - [17/May/2015:25:05:03 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"x\"", "bad timestamp")]
    [InlineData("1.2.3.4 - - [17/May/2015:10:05:03 +9900] \"GET / HTTP/1.1\" 200 1 \"-\" \"x\"", "bad timestamp")]
    [InlineData("1.2.3.4 - - [17/May/2015:10:05:03 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"x", "unterminated quoted user agent")]
    [InlineData("1.2.3.4 - - [17/May/2015:10:05:03 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"x\" trailing", "unexpected text after the last field")]
    [InlineData("1.2.3.4 - - 17/May/2015:10:05:03 +0000 \"GET / HTTP/1.1\" 200 1 \"-\" \"x\"", "expected '[' of the timestamp")]
    public void Combined_MalformedLines_GiveReasons(string text, string reason)
    {
        var parser = WebLogFormats.Create(Site, "combined", []);
        Assert.Equal(LineKind.Malformed, parser.Parse(Encoding.UTF8.GetBytes(text), new WebHit(), out var got));
        Assert.Equal(reason, got);
    }

    [Fact]
    public void LogFormat_FieldsWithNothingBetween_AreRejected()
    {
        Assert.Throws<FormatException>(() => LogFormat.Compile("x", "%h%u %t \"%r\""));
    }
}

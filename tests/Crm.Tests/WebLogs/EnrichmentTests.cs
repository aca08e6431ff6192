using System.Text;
using Crm.Pipeline.Sources.WebLogs;

namespace Crm.Tests.WebLogs;

/// <summary>User agents, tracking tokens, privacy modes, visitor keys and rotation order.</summary>
public sealed class EnrichmentTests
{
    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Crm.sln")))
        {
            dir = dir.Parent;
        }

        return dir!.FullName;
    }

    [Fact]
    public void Classifier_FlagsTheCrawlerListsOwnExampleAgents()
    {
        // The vendored list carries example agents for each pattern: an independent check of our loading.
        var path = Path.Combine(RepositoryRoot(), "src", "Crm.Pipeline", "Sources", "WebLogs", "Data", "crawler-user-agents.json");
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path));
        var examples = json.RootElement.EnumerateArray()
            .SelectMany(e => e.TryGetProperty("instances", out var i) ? i.EnumerateArray().Select(x => x.GetString()!) : [])
            .Where((_, i) => i % 25 == 0).ToList();
        Assert.True(examples.Count > 50);
        var classifier = UserAgentClassifier.Shared;
        Assert.All(examples, ua => Assert.True(classifier.IsKnownCrawler(ua), ua));
        Assert.Equal(0, classifier.SkippedRules);
    }

    [Theory]
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36", "Chrome", "120.0", "Windows", "desktop", false)]
    [InlineData("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1", "Mobile Safari", "17.4", "iOS", "mobile", false)]
    [InlineData("Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1", "Mobile Safari", "16.6", "iOS", "tablet", false)]
    [InlineData("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", "bingbot", "2.0", "Other", "bot", true)]
    public void Classifier_ReadsBrowserOsAndDevice(string ua, string browser, string version, string os, string type, bool bot)
    {
        var info = UserAgentClassifier.Shared.Classify(ua);
        Assert.Equal(browser, info.Browser);
        Assert.Equal(version, info.BrowserVersion);
        Assert.Equal(os, info.Os);
        Assert.Equal(type, info.DeviceType);
        Assert.Equal(bot, info.IsBot);
        Assert.Same(info, UserAgentClassifier.Shared.Classify(ua)); // cached
    }

    [Theory]
    [InlineData("ann.lee@example.com", "ann.lee@example.com")]
    [InlineData("Ann.Lee%40Example.com", null)] // still URL-encoded: the builder decodes before
    [InlineData("YW5uLmxlZUBleGFtcGxlLmNvbQ", "ann.lee@example.com")]
    [InlineData("YW5uLmxlZUBleGFtcGxlLmNvbQ.c2lnbmF0dXJl", "ann.lee@example.com")]
    [InlineData("not-a-token!", null)]
    [InlineData("bm8gYXQgc2lnbg", null)]
    public void TrackingToken_ResolvesToTheLowerCasedAddress(string token, string? email)
    {
        Assert.Equal(email, TrackingToken.EmailOf(token));
    }

    [Fact]
    public void TrackingToken_For_RoundTrips()
    {
        Assert.Equal("bob@example.org", TrackingToken.EmailOf(TrackingToken.For(" Bob@Example.org ")));
    }

    private static WebEventRow Build(WebLogSourceOptions site, string line)
    {
        var parser = WebLogFormats.Create(site, "custom".Equals(site.Format, StringComparison.Ordinal) ? null : "combined", []);
        var bytes = Encoding.UTF8.GetBytes(line);
        var hit = new WebHit();
        Assert.Equal(LineKind.Hit, parser.Parse(bytes, hit, out _));
        return new WebEventBuilder(site, UserAgentClassifier.Shared).Build(bytes, hit, 0);
    }

    private const string Line = "198.51.100.77 - - [01/Mar/2024:10:00:00 +0000] \"GET /landing?utm_source=news&utm_medium=email&utm_campaign=March%20Deals&utm_term=x&utm_content=hero&crm_tid=ann%40example.com&uid=C9 HTTP/1.1\" 200 10 \"-\" \"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36\"";

    [Fact]
    public void Builder_ReadsUtmTrackingAndUserIdFromTheQuery()
    {
        var row = Build(new WebLogSourceOptions { Name = "s", IpPrivacy = "keep", UserIdQueryParameter = "uid" }, Line);
        Assert.Equal(("news", "email", "March Deals", "x", "hero"), (row.UtmSource, row.UtmMedium, row.UtmCampaign, row.UtmTerm, row.UtmContent));
        Assert.Equal("ann@example.com", row.TrackingEmail);
        Assert.Equal("C9", row.UserId);
        Assert.Equal("s:u:C9", row.VisitorKey);
        Assert.Equal("/landing", row.Path);
        Assert.Equal("198.51.100.77", row.ClientIp);
        Assert.True(row.IsPage);
    }

    [Fact]
    public void Builder_PrivacyModes_TruncateOrHashTheAddress()
    {
        Assert.Equal("198.51.100.0", Build(new WebLogSourceOptions { Name = "s", IpPrivacy = "truncate" }, Line).ClientIp);
        var hashed = Build(new WebLogSourceOptions { Name = "s", IpPrivacy = "hash", IpSalt = "pepper" }, Line).ClientIp!;
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData("pepper"u8, "198.51.100.77"u8)[..16]);
        Assert.Equal(expected, hashed);
        Assert.Equal("2001:db8:85a3::", WebEventBuilder.TruncateIp("2001:db8:85a3:8d3:1319:8a2e:370:7348"));
    }

    [Fact]
    public void Builder_AnonymousVisitor_KeyIsAHashOfAddressAndAgent_CookieWins()
    {
        var site = new WebLogSourceOptions { Name = "s", IpPrivacy = "truncate" };
        var a = Build(site, Line.Replace("&uid=C9", "", StringComparison.Ordinal));
        var b = Build(site, Line.Replace("&uid=C9", "", StringComparison.Ordinal).Replace("198.51.100.77", "198.51.100.78", StringComparison.Ordinal));
        Assert.StartsWith("s:h:", a.VisitorKey, StringComparison.Ordinal);
        Assert.NotEqual(a.VisitorKey, b.VisitorKey); // the raw address, not the truncated one, is hashed
        var cookieSite = new WebLogSourceOptions
        {
            Name = "s", Format = "custom", VisitorCookie = "vid",
            LogFormat = "%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\" \"%{Cookie}i\"",
        };
        Assert.Equal("s:c:v-1", Build(cookieSite, Line + " \"theme=dark; vid=v-1\"").VisitorKey);
    }

    [Fact]
    public void RotationOrder_ReadsOldestFirst()
    {
        var order = WebLogIngester.RotationOrder(["/l/access.log", "/l/access.log.1", "/l/access.log.10.gz", "/l/access.log.2.gz"]);
        Assert.Equal(["/l/access.log.10.gz", "/l/access.log.2.gz", "/l/access.log.1", "/l/access.log"], order);
    }
}

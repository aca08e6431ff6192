using System.Text;
using Crm.IntegrationTests.Infrastructure;
using Crm.IntegrationTests.WebLogs;

namespace Crm.IntegrationTests.Privacy;

/// <summary>Client IPs follow the site's privacy mode everywhere they are stored: hits and quarantined raw lines (issue 10).</summary>
[Collection(PostgresCollection.Name)]
public sealed class IpPrivacyTests(PostgresCluster cluster)
{
    [Theory]
    [InlineData("truncate")]
    [InlineData("hash")]
    public async Task QuarantinedLines_KeepNoClientAddressTheModeWouldNotKeep(string mode)
    {
        var at = new DateTimeOffset(2024, 6, 1, 12, 0, 0, TimeSpan.Zero);
        var path = Path.Combine(WebLogTestKit.TempDir(), "access.log");
        File.WriteAllText(path,
            WebLogTestKit.Line("198.51.100.77", at, "/ok")
            + "198.51.100.77 - - [31/Foo/2024:12:00:00 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"x\"\n"
            + "2001:db8:85a3::8a2e:370:7334 - - [01/Jun/2024:12:0\n",
            new UTF8Encoding(false));
        var site = WebLogTestKit.Site();
        site.IpPrivacy = mode;
        site.IpSalt = "test-salt-from-the-environment";

        await using var ds = await cluster.CreateMigratedDatabaseAsync("ip_" + mode);
        var counts = await WebLogTestKit.Ingester(ds).LoadAsync(site, path);

        Assert.Equal(1, counts.Loaded);
        Assert.Equal(2, counts.Quarantined);
        var stored = await ds.ScalarAsync<string>("select client_ip from core.web_event");
        var raw = await ds.ScalarAsync<string>("select string_agg(raw_text, E'\\n' order by byte_offset) from quarantine.record");
        Assert.DoesNotContain("198.51.100.77", raw, StringComparison.Ordinal);
        Assert.DoesNotContain("8a2e:370:7334", raw, StringComparison.Ordinal);
        // The same transform as the stored hit, and the rest of the line kept for diagnosis.
        Assert.StartsWith(stored + " - - [31/Foo/2024", raw, StringComparison.Ordinal);
        if (mode == "truncate")
        {
            Assert.Equal("198.51.100.0", stored);
            Assert.Contains("2001:db8:85a3:: - - [01/Jun/2024:12:0", raw, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task KeepMode_KeepsTheRawLineAsItWas()
    {
        var path = Path.Combine(WebLogTestKit.TempDir(), "access.log");
        File.WriteAllText(path, "198.51.100.77 - - [31/Foo/2024:12:00:00 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"x\"\n", new UTF8Encoding(false));

        await using var ds = await cluster.CreateMigratedDatabaseAsync("ip_keep");
        await WebLogTestKit.Ingester(ds).LoadAsync(WebLogTestKit.Site(), path);

        Assert.StartsWith("198.51.100.77 - - [31/Foo", await ds.ScalarAsync<string>("select raw_text from quarantine.record"), StringComparison.Ordinal);
    }
}

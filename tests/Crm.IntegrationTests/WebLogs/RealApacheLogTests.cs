using System.Text.RegularExpressions;
using Crm.IntegrationTests.Infrastructure;

namespace Crm.IntegrationTests.WebLogs;

/// <summary>The real Apache log (tests/data/weblogs/apache_logs, see its README) loads whole and reconciles.</summary>
[Collection(PostgresCollection.Name)]
public sealed class RealApacheLogTests(PostgresCluster cluster)
{
    // The README's check for a well-formed combined line, independent of our parser.
    private static readonly Regex Combined = new(@"^(\S+) (\S+) (\S+) \[([^\]]+)\] ""(.*?)"" (\d{3}) (\S+) ""(.*?)"" ""(.*?)""$");

    [Fact]
    public async Task ApacheLogs_EveryWellFormedLineInWebEvent_CountsReconcile()
    {
        var file = Path.Combine(WebLogTestKit.SharedData(), "weblogs", "apache_logs");
        var lines = File.ReadAllLines(file);
        var matches = lines.Select(l => Combined.Match(l)).ToList();
        var good = matches.Count(m => m.Success);
        var dashBytes = matches.Count(m => m.Success && m.Groups[7].Value == "-");
        var status404 = matches.Count(m => m.Success && m.Groups[6].Value == "404");
        var ips = matches.Where(m => m.Success).Select(m => m.Groups[1].Value).Distinct().Count();
        var earliest = matches.Where(m => m.Success)
            .Min(m => DateTimeOffset.ParseExact(m.Groups[4].Value, "dd/MMM/yyyy:HH:mm:ss zzz", System.Globalization.CultureInfo.InvariantCulture)).UtcDateTime;
        var badLine = matches.FindIndex(m => !m.Success) + 1;

        await using var ds = await cluster.CreateMigratedDatabaseAsync("apache");
        var ingester = WebLogTestKit.Ingester(ds);
        var counts = await ingester.LoadAsync(WebLogTestKit.Site("semicomplete"), file);

        Assert.Equal(lines.Length, counts.Read);
        Assert.Equal(good, counts.Loaded);
        Assert.Equal(lines.Length - good, counts.Quarantined);
        Assert.Equal(good, await ds.ScalarAsync<long>("select count(*) from core.web_event"));
        Assert.Equal(dashBytes, await ds.ScalarAsync<long>("select count(*) from core.web_event where bytes is null"));
        Assert.Equal(status404, await ds.ScalarAsync<long>("select count(*) from core.web_event where status = 404"));
        Assert.Equal(ips, await ds.ScalarAsync<long>("select count(distinct client_ip) from core.web_event"));
        Assert.Equal(badLine, await ds.ScalarAsync<long>("select line_number from quarantine.record where source = 'weblogs'"));
        Assert.Contains("unterminated", await ds.ScalarAsync<string>("select reason from quarantine.record"), StringComparison.Ordinal);
        Assert.Equal(earliest, await ds.ScalarAsync<DateTime>("select min(event_ts) from core.web_event"));
        Assert.Equal(counts.Read, await ds.ScalarAsync<long>("select sum(read_count) from ops.ingest_ledger where source = 'weblogs'"));
        Assert.True(await ds.ScalarAsync<long>("select count(*) from core.web_session") > 0);
        Assert.True(await ds.ScalarAsync<long>("select count(*) from core.web_event where is_bot and browser = 'Googlebot'") > 0);

        // Loading the same file again reads nothing new.
        var again = await ingester.LoadAsync(WebLogTestKit.Site("semicomplete"), file);
        Assert.Equal(0, again.Read);
        Assert.Equal(good, await ds.ScalarAsync<long>("select count(*) from core.web_event"));
    }
}

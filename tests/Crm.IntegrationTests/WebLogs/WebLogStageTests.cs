using System.Text;
using Crm.IntegrationTests.Infrastructure;
using Crm.Pipeline;
using Crm.Pipeline.Jobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Crm.IntegrationTests.WebLogs;

/// <summary>The weblogs stage runs from configuration alone: the demo settings, and a W3C site read in two runs.</summary>
[Collection(PostgresCollection.Name)]
public sealed class WebLogStageTests(PostgresCluster cluster)
{
    private static ServiceProvider Services(NpgsqlDataSource ds, IConfiguration configuration)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(ds);
        services.AddCrmPipeline(configuration);
        return services.BuildServiceProvider();
    }

    private static IPipelineStage Stage(ServiceProvider services) =>
        services.GetServices<IPipelineStage>().Single(s => s.Name == "weblogs");

    [Fact]
    public async Task DemoSettings_LoadTheBundledSample()
    {
        var demo = Path.Combine(TestData.RepositoryRoot, "src", "Crm.Worker", "demo");
        var json = (await File.ReadAllTextAsync(Path.Combine(demo, "weblogs.settings.json"))).Replace("{demo}", demo, StringComparison.Ordinal);
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
        var sample = File.ReadAllLines(Path.Combine(demo, "weblogs", "access.log"));

        await using var ds = await cluster.CreateMigratedDatabaseAsync("demo_weblogs");
        await using var services = Services(ds, configuration);
        var result = await Stage(services).RunAsync(new StageContext(Guid.NewGuid(), "demo", NullProgressSink.Instance), CancellationToken.None);

        Assert.Equal(sample.Length, result.RowsRead);
        Assert.Equal(sample.Length, await ds.ScalarAsync<long>("select count(*) from core.web_event") + await ds.ScalarAsync<long>("select count(*) from quarantine.record"));
        Assert.Equal(0, await ds.ScalarAsync<long>("select count(*) from core.web_event where client_ip !~ '\\.0$'"));
    }

    [Fact]
    public async Task W3cSite_TwoRuns_HeaderCarriesOverToTheSecondSegment()
    {
        var dir = WebLogTestKit.TempDir();
        var path = Path.Combine(dir, "u_ex240301.log");
        const string Header = "#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n#Date: 2024-03-01 00:00:00\n#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\n";
        static string Row(int minute, string ip) =>
            $"2024-03-01 10:{minute:D2}:00 10.0.0.4 GET /p/{minute} - 443 - {ip} Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/122.0.0.0+Safari/537.36 - 200 0 0 15\n";
        File.WriteAllText(path, Header + Row(0, "198.51.100.1") + Row(1, "198.51.100.2"));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Crm:WebLogs:Sources:0:Name"] = "iis",
            ["Crm:WebLogs:Sources:0:Folder"] = dir,
            ["Crm:WebLogs:Sources:0:Pattern"] = "u_ex*.log",
            ["Crm:WebLogs:Sources:0:IpPrivacy"] = "hash",
            ["Crm:WebLogs:Sources:0:IpSalt"] = "test-salt",
        }).Build();

        await using var ds = await cluster.CreateMigratedDatabaseAsync("w3c");
        await using var services = Services(ds, configuration);
        var context = new StageContext(Guid.NewGuid(), "manual", NullProgressSink.Instance);
        Assert.Equal(2, (await Stage(services).RunAsync(context, CancellationToken.None)).RowsWritten);
        File.AppendAllText(path, Row(2, "198.51.100.3") + Row(40, "198.51.100.1"));
        Assert.Equal(2, (await Stage(services).RunAsync(context, CancellationToken.None)).RowsWritten);

        Assert.Equal(4, await ds.ScalarAsync<long>("select count(*) from core.web_event where browser = 'Chrome'"));
        Assert.Equal("w3c", await ds.ScalarAsync<string>("select format from ops.web_log_file"));
        Assert.Equal(0, await ds.ScalarAsync<long>("select count(*) from core.web_event where client_ip like '198.%'"));
        Assert.Equal(4, await ds.ScalarAsync<long>("select count(*) from core.web_session"));
    }

    [Fact]
    public async Task SyntheticSample_AllThreeSitesLoad_LoginsLinkAndCookiesIdentifyVisitors()
    {
        // Expected line counts from the generator's own manifest (formats.json), not from our parser.
        var demo = Path.Combine(TestData.RepositoryRoot, "src", "Crm.Worker", "demo");
        var json = (await File.ReadAllTextAsync(Path.Combine(demo, "synthetic.settings.json"))).Replace("{demo}", demo, StringComparison.Ordinal);
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
        using var formats = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(demo, "synthetic", "weblogs", "formats.json")));
        var declared = formats.RootElement.GetProperty("files").EnumerateArray().Sum(f => f.GetProperty("lines").GetInt64());

        await using var ds = await cluster.CreateMigratedDatabaseAsync("synthetic_weblogs");
        await using var services = Services(ds, configuration);
        var result = await Stage(services).RunAsync(new StageContext(Guid.NewGuid(), "demo", NullProgressSink.Instance), CancellationToken.None);

        var loaded = await ds.ScalarAsync<long>("select count(*) from core.web_event");
        var quarantined = await ds.ScalarAsync<long>("select count(*) from quarantine.record where source = 'weblogs'");
        Assert.Equal(result.RowsRead, loaded + quarantined);
        Assert.True(loaded >= declared * 0.95, $"loaded {loaded} of {declared} declared lines; quarantined {quarantined}");
        Assert.Equal(3, await ds.ScalarAsync<long>("select count(distinct site) from core.web_event"));
        Assert.True(await ds.ScalarAsync<long>("select count(*) from core.web_visitor_link where evidence = 'login'") > 0);
        Assert.True(await ds.ScalarAsync<long>("select count(*) from core.web_event where site = 'm' and visitor_key like 'm:c:%'") > 0);
        Assert.True(await ds.ScalarAsync<long>("select count(*) from core.web_session where is_bot") > 0);

        // Email clicks: each opaque crm_tid resolved through the send log to the address the generator's
        // truth says it was sent to (truth/records.csv, source "tracking", detail = address).
        var truth = File.ReadLines(Path.Combine(demo, "synthetic", "truth", "records.csv")).Skip(1)
            .Select(l => l.Split(','))
            .Where(f => f[0] == "tracking")
            .ToDictionary(f => f[1], f => f[3].ToLowerInvariant(), StringComparer.Ordinal);
        var resolved = 0;
        await using (var links = ds.CreateCommand(
            """
            select distinct e.tracking_token, l.source_customer_id
              from core.web_visitor_link l join core.web_event e on e.visitor_key = l.visitor_key and e.tracking_token is not null
             where l.source = 'campaign_sends'
            """))
        await using (var reader = await links.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                var visitorTokens = reader.GetString(0);
                if (truth.TryGetValue(visitorTokens, out var address) && address == reader.GetString(1))
                {
                    resolved++;
                }
            }
        }

        Assert.True(resolved > 0, "no tracked click resolved to its address");
        Assert.Equal(0, await ds.ScalarAsync<long>(
            """
            select count(*) from core.web_event e
              join core.campaign_send c on c.tracking_token = e.tracking_token
             where not exists (select 1 from core.web_visitor_link l
                                where l.visitor_key = e.visitor_key and l.source = 'campaign_sends' and l.source_customer_id = c.email)
            """));
    }
}

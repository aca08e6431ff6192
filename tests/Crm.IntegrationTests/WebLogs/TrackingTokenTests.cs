using Crm.IntegrationTests.Infrastructure;
using Crm.Pipeline.Identity;
using Crm.Pipeline.Jobs;
using Crm.Pipeline.Sources.WebLogs;
using Npgsql;

namespace Crm.IntegrationTests.WebLogs;

/// <summary>
/// Email clicks carry an opaque token (crm_tid); the campaign tool's send log says which address it
/// was sent to. Visitors who clicked end up joined to the customer with that address (issue 5).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class TrackingTokenTests(PostgresCluster cluster)
{
    private const string Chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
    private const string Firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:123.0) Gecko/20100101 Firefox/123.0";

    // Two customers as the order feed knows them.
    private const string Customers =
        """
        insert into core.source_customer (source, source_customer_id, email, customer_name, first_seen, last_seen) values
        ('orders:shop', 'C1', 'ann.lee@example.com', 'Ann Lee', '2024-01-05', '2024-03-01'),
        ('orders:shop', 'C2', 'bob.smith@example.net', 'Bob Smith', '2024-02-01', '2024-03-02');
        """;

    private static async Task<long> CustomerAsync(NpgsqlDataSource ds, string source, string id)
    {
        await using var command = ds.CreateCommand("select customer_id from core.customer_identity where source = @s and source_customer_id = @i");
        command.Parameters.AddWithValue("s", source);
        command.Parameters.AddWithValue("i", id);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task OpaqueToken_ResolvesThroughTheSendLog_WhicheverArrivesFirst_AndTheVisitorJoinsTheRightCustomer()
    {
        await using var ds = await cluster.CreateMigratedDatabaseAsync("tracking");
        await ds.ExecuteAsync(Customers);
        var dir = WebLogTestKit.TempDir();
        var sends = Directory.CreateDirectory(Path.Combine(dir, "sends")).FullName;
        var options = new WebLogsOptions { CampaignSends = new CampaignSendsOptions { Folder = sends } };
        var ingester = WebLogTestKit.Ingester(ds, options);
        var site = WebLogTestKit.Site();
        var log = Path.Combine(dir, "access.log");
        var t = new DateTimeOffset(2024, 4, 2, 18, 0, 0, TimeSpan.FromHours(2));

        // Ann clicks before the send log has landed; an unknown token never resolves.
        File.WriteAllText(log,
            WebLogTestKit.Line("192.0.2.10", t, "/landing/spring-2024-c1?utm_source=email&utm_medium=email&utm_campaign=spring-2024-c1&crm_tid=9f2c4a1b7e3d55aa01", ua: Chrome)
            + WebLogTestKit.Line("192.0.2.10", t.AddMinutes(2), "/p/7", ua: Chrome)
            + WebLogTestKit.Line("192.0.2.99", t, "/landing/spring-2024-c1?crm_tid=000000000000000000", ua: Chrome));
        await ingester.LoadAsync(site, log);
        Assert.Equal(0, await ds.ScalarAsync<long>("select count(*) from core.web_visitor_link where source <> 'tracking'"));

        // The send log, as the campaign tool exports it: address in another case, one row without an address.
        File.WriteAllText(Path.Combine(sends, "sends-2024-04.csv"),
            "campaign,sent_at,email,tracking_token\n"
            + "spring-2024-c1,2024-04-01T09:00:00Z,Ann.Lee@Example.com,9f2c4a1b7e3d55aa01\n"
            + "spring-2024-c1,2024-04-01T09:00:01Z,bob.smith@example.net,4e5f60718293a4b5c6\n"
            + "spring-2024-c1,2024-04-01T09:00:02Z,not an address,d7e8f90a1b2c3d4e5f\n");
        var loaded = Assert.Single(await ingester.LoadCampaignSendsAsync(null, CancellationToken.None));
        Assert.Equal("read 3, loaded 2, quarantined 1, duplicate 0", loaded.Counts.ToString());
        Assert.Equal("skipped (already loaded)", Assert.Single(await ingester.LoadCampaignSendsAsync(null, CancellationToken.None)).Outcome);
        Assert.Equal(1, await ds.ScalarAsync<long>("select count(*) from quarantine.record where source = 'campaign_sends' and reason like 'not an email address%'"));

        // Bob clicks after the send log is in.
        WebLogTestKit.Append(log, WebLogTestKit.Line("198.51.100.7", t.AddHours(1), "/landing/spring-2024-c1?crm_tid=4e5f60718293a4b5c6", ua: Firefox));
        await ingester.LoadAsync(site, log);

        Assert.Equal("ann.lee@example.com;bob.smith@example.net", await ds.ScalarAsync<string>(
            "select string_agg(source_customer_id, ';' order by source_customer_id) from core.web_visitor_link where source = 'campaign_sends' and evidence = 'tracking_token'"));

        await new IdentityResolver(ds).RunAsync(new IdentityOptions(), Guid.NewGuid(), NullProgressSink.Instance, CancellationToken.None);

        var annVisitor = await ds.ScalarAsync<string>("select distinct visitor_key from core.web_event where client_ip = '192.0.2.10'");
        var bobVisitor = await ds.ScalarAsync<string>("select distinct visitor_key from core.web_event where client_ip = '198.51.100.7'");
        Assert.Equal(await CustomerAsync(ds, "orders:shop", "C1"), await CustomerAsync(ds, "web", annVisitor));
        Assert.Equal(await CustomerAsync(ds, "orders:shop", "C2"), await CustomerAsync(ds, "web", bobVisitor));
        Assert.NotEqual(await CustomerAsync(ds, "web", annVisitor), await CustomerAsync(ds, "web", bobVisitor));
        Assert.Equal(0, await ds.ScalarAsync<long>(
            "select count(*) from core.customer_identity i join core.web_event e on e.visitor_key = i.source_customer_id where i.source = 'web' and e.client_ip = '192.0.2.99'"));
    }
}

using Crm.IntegrationTests.Infrastructure;
using Crm.Pipeline;
using Crm.Pipeline.Identity;
using Crm.Pipeline.Jobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Crm.IntegrationTests.Identity;

/// <summary>The identity stage on a real warehouse: two sources, stable ids, delta runs, manual decisions.</summary>
[Collection(PostgresCollection.Name)]
public sealed class IdentityStageTests(PostgresCluster cluster)
{
    // An order feed and e-mail senders, as the ingest stages write them. Ann Lee appears in both
    // (same address typed in another case, name with an honorific), Bob Smith twice in the feed as Bob and Bobby
    // (phone typed two ways), Cyd Ray only in the feed, dan@example.org only as a sender.
    private const string Seed =
        """
        insert into core.source_customer (source, source_customer_id, email, customer_name, phone, address, postcode, country, date_of_birth, first_seen, last_seen, updated_at) values
        ('orders:shop', 'C1', 'Ann.Lee@Example.com ', 'Mrs Ann Lee', '020 7946 0018', '12 High St', 'sw1a1aa', 'GB', '1980-04-03', '2024-01-05', '2024-06-01', '2024-06-01'),
        ('orders:shop', 'C2', 'bob.smith@example.net', 'Bob Smith', '+44 20 7946 0991', '5 Mill Rd', 'N1 9GU', 'GB', null, '2024-02-01', '2024-02-01', '2024-06-01'),
        ('orders:shop', 'C3', null, 'Bobby Smith', '020 7946 0991', '5 Mill Road', 'N19GU', 'GB', null, '2024-03-01', '2024-05-01', '2024-06-01'),
        ('orders:shop', 'C4', 'cyd@example.com', 'Cyd Ray', 'not a phone', '9 Elm Ave', 'E2 7DJ', 'GB', null, '2024-01-01', '2024-01-02', '2024-06-01'),
        ('email', 'ann.lee@example.com', 'ann.lee@example.com', 'Ann Lee', null, null, null, null, null, '2024-03-01', '2024-07-01', '2024-06-01'),
        ('email', 'dan@example.org', 'dan@example.org', 'Dan Brown', null, null, null, null, null, '2024-03-01', '2024-03-01', '2024-06-01');
        """;

    private static IdentityOptions Options(string mode = "auto") => new() { Mode = mode };

    private static Task<IdentityRunResult> RunAsync(NpgsqlDataSource ds, string mode = "auto") =>
        new IdentityResolver(ds).RunAsync(Options(mode), Guid.NewGuid(), NullProgressSink.Instance, CancellationToken.None);

    private static Task<long> CustomerOf(NpgsqlDataSource ds, string source, string id) =>
        ds.ScalarAsync<long>($"select customer_id from core.customer_identity where source = '{source}' and source_customer_id = '{id}'");

    [Fact]
    public async Task OrderFeedAndEmailSenders_ResolveIntoGoldenCustomers()
    {
        await using var ds = await cluster.CreateMigratedDatabaseAsync("idgold");
        await ds.ExecuteAsync(Seed);

        var result = await RunAsync(ds);

        Assert.Equal("full", result.Mode);
        Assert.Equal(4, await ds.ScalarAsync<long>("select count(*) from core.customer where status = 'active'"));
        Assert.Equal(6, await ds.ScalarAsync<long>("select count(*) from core.customer_identity"));
        var ann = await CustomerOf(ds, "orders:shop", "C1");
        Assert.Equal(ann, await CustomerOf(ds, "email", "ann.lee@example.com"));
        Assert.Equal(await CustomerOf(ds, "orders:shop", "C2"), await CustomerOf(ds, "orders:shop", "C3"));
        Assert.NotEqual(ann, await CustomerOf(ds, "email", "dan@example.org"));

        // Survivorship: the order feed outranks e-mail for the address; names lose honorifics; phone in E.164.
        Assert.Equal("ann.lee@example.com", await ds.ScalarAsync<string>($"select email from core.customer where customer_id = {ann}"));
        Assert.Equal("Ann Lee", await ds.ScalarAsync<string>($"select customer_name from core.customer where customer_id = {ann}"));
        Assert.Equal("+442079460018", await ds.ScalarAsync<string>($"select phone from core.customer where customer_id = {ann}"));
        Assert.Equal("SW1A 1AA", await ds.ScalarAsync<string>($"select postcode from core.customer where customer_id = {ann}"));
        Assert.Equal("1980-04-03", await ds.ScalarAsync<string>($"select date_of_birth::text from core.customer where customer_id = {ann}"));
        Assert.Equal(2, await ds.ScalarAsync<int>($"select source_count from core.customer where customer_id = {ann}"));
        Assert.Equal("2024-01-05", await ds.ScalarAsync<string>($"select to_char(first_seen at time zone 'UTC', 'YYYY-MM-DD') from core.customer where customer_id = {ann}"));

        // Evidence is queryable: the Ann link was made by the e-mail rule, the Bob link by the phone rule.
        Assert.Equal("email", await ds.ScalarAsync<string>($"select rule from identity.merge_evidence_view where customer_id = {ann}"));
        Assert.True(await ds.ScalarAsync<bool>(
            $"select agreeing_fields @> to_jsonb(array['phone']) from identity.merge_evidence_view where customer_id = {await CustomerOf(ds, "orders:shop", "C2")}"));

        // The invalid phone is quarantined with its reason; the record still resolves, without a phone.
        Assert.Equal(1, await ds.ScalarAsync<long>("select count(*) from quarantine.record where source = 'identity' and unit_path = 'orders:shop/C4' and reason like '%phone%'"));
        Assert.True(await ds.ScalarAsync<bool>($"select phone is null from core.customer where customer_id = {await CustomerOf(ds, "orders:shop", "C4")}"));
    }

    [Fact]
    public async Task RunningTwice_LeavesIdenticalTables()
    {
        await using var ds = await cluster.CreateMigratedDatabaseAsync("ididem");
        await ds.ExecuteAsync(Seed);
        await RunAsync(ds, "full");
        var first = await SnapshotAsync(ds);

        await RunAsync(ds, "full");
        Assert.Equal(first, await SnapshotAsync(ds));
        await RunAsync(ds);
        Assert.Equal(first, await SnapshotAsync(ds));
    }

    [Fact]
    public async Task Ids_StayStableThroughAddingMergingAndSplitting()
    {
        await using var ds = await cluster.CreateMigratedDatabaseAsync("idstable");
        await ds.ExecuteAsync(Seed);
        await RunAsync(ds);
        var ann = await CustomerOf(ds, "orders:shop", "C1");
        var cyd = await CustomerOf(ds, "orders:shop", "C4");
        var dan = await CustomerOf(ds, "email", "dan@example.org");

        // Adding: a new record in the next delta gets a new id; everyone else keeps theirs.
        await ds.ExecuteAsync("""
            insert into core.source_customer (source, source_customer_id, email, customer_name, first_seen, last_seen, updated_at)
            values ('orders:shop', 'C5', 'eve@example.com', 'Eve Adams', '2024-08-01', '2024-08-01', now())
            """);
        var delta = await RunAsync(ds);
        Assert.Equal("delta", delta.Mode);
        Assert.Equal(1, delta.Resolved);
        Assert.Equal(ann, await CustomerOf(ds, "orders:shop", "C1"));
        Assert.Equal(cyd, await CustomerOf(ds, "orders:shop", "C4"));
        var eve = await CustomerOf(ds, "orders:shop", "C5");
        Assert.True(eve > Math.Max(ann, Math.Max(cyd, dan)));

        // Merging: Dan's sender record now carries Cyd's address, so the e-mail rule joins the two customers.
        await ds.ExecuteAsync("""
            update core.source_customer set email = 'cyd@example.com', updated_at = now() where source = 'email' and source_customer_id = 'dan@example.org'
            """);
        await RunAsync(ds, "full");
        var merged = await CustomerOf(ds, "email", "dan@example.org");
        Assert.Equal(Math.Min(cyd, dan), merged);
        Assert.Equal(merged, await CustomerOf(ds, "orders:shop", "C4"));
        var absorbed = Math.Max(cyd, dan);
        Assert.Equal("merged", await ds.ScalarAsync<string>($"select status from core.customer where customer_id = {absorbed}"));
        Assert.Equal(merged, await ds.ScalarAsync<long>($"select merged_into from core.customer where customer_id = {absorbed}"));
        Assert.Equal(1, await ds.ScalarAsync<long>($"select count(*) from identity.customer_history where event = 'merged' and customer_id = {merged} and related_customer_id = {absorbed}"));

        // Splitting by an administrator: the part first seen earliest (Cyd's order record) keeps the id, the other part gets a new one.
        await ds.ExecuteAsync("""
            insert into identity.manual_decision (decision, left_source, left_id, right_source, right_id, reason, decided_by)
            values ('split', 'orders:shop', 'C4', 'email', 'dan@example.org', 'different people sharing an inbox', 'test')
            """);
        await RunAsync(ds);
        Assert.Equal(merged, await CustomerOf(ds, "orders:shop", "C4"));
        var split = await CustomerOf(ds, "email", "dan@example.org");
        Assert.NotEqual(merged, split);
        Assert.True(split > eve);
        Assert.Equal(1, await ds.ScalarAsync<long>($"select count(*) from identity.customer_history where event = 'split' and customer_id = {split} and related_customer_id = {merged}"));

        // The decision survives reruns, full and delta.
        await RunAsync(ds, "full");
        await RunAsync(ds);
        Assert.Equal(split, await CustomerOf(ds, "email", "dan@example.org"));
        Assert.Equal(ann, await CustomerOf(ds, "orders:shop", "C1"));
    }

    [Fact]
    public async Task ManualLink_JoinsRecordsTheMatcherKeepsApart_AndSurvivesReruns()
    {
        await using var ds = await cluster.CreateMigratedDatabaseAsync("idlink");
        await ds.ExecuteAsync(Seed);
        await RunAsync(ds);
        Assert.NotEqual(await CustomerOf(ds, "orders:shop", "C4"), await CustomerOf(ds, "email", "dan@example.org"));

        await ds.ExecuteAsync("""
            insert into identity.manual_decision (decision, left_source, left_id, right_source, right_id, decided_by)
            values ('link', 'orders:shop', 'C4', 'email', 'dan@example.org', 'test')
            """);
        await RunAsync(ds);
        await RunAsync(ds, "full");
        var cyd = await CustomerOf(ds, "orders:shop", "C4");
        Assert.Equal(cyd, await CustomerOf(ds, "email", "dan@example.org"));
        Assert.Equal("manual", await ds.ScalarAsync<string>($"select rule from identity.merge_evidence where customer_id = {cyd}"));
    }

    [Fact]
    public async Task WebVisitors_JoinTheGoldenCustomerOfTheRecordTheyLinkTo()
    {
        await using var ds = await cluster.CreateMigratedDatabaseAsync("idweb");
        await ds.ExecuteAsync(Seed);
        // The shape the web-logs stage writes (its migration may not be on this branch yet).
        await ds.ExecuteAsync("""
            create table if not exists core.web_visitor_link (
                visitor_key text not null, source text not null, source_customer_id text not null, evidence text not null,
                first_seen timestamptz not null, last_seen timestamptz not null, primary key (visitor_key, source, source_customer_id));
            insert into core.web_visitor_link values
              ('v-login', 'orders:shop', 'C3', 'login', '2024-05-01', '2024-05-01'),
              ('v-token', 'email', 'ann.lee@example.com', 'tracking_token', '2024-05-01', '2024-05-02');
            """);

        await RunAsync(ds);

        Assert.Equal(await CustomerOf(ds, "orders:shop", "C2"), await CustomerOf(ds, "web", "v-login"));
        Assert.Equal(await CustomerOf(ds, "orders:shop", "C1"), await CustomerOf(ds, "web", "v-token"));
    }

    [Fact]
    public async Task Stage_IsRegisteredAndRunsThroughDependencyInjection()
    {
        await using var ds = await cluster.CreateMigratedDatabaseAsync("idstage");
        await ds.ExecuteAsync(Seed);
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Crm:Identity:Matching:MatchThreshold"] = "0.95",
        }).Build();
        await using var provider = new ServiceCollection().AddLogging().AddSingleton(ds).AddCrmPipeline(config).BuildServiceProvider();
        var stage = provider.GetServices<IPipelineStage>().Single(s => s.Name == "identity");

        var result = await stage.RunAsync(new StageContext(Guid.NewGuid(), "manual", NullProgressSink.Instance), CancellationToken.None);

        Assert.Equal(6, result.RowsRead);
        Assert.Contains("4 customers", result.Summary, StringComparison.Ordinal);
    }

    private static async Task<string> SnapshotAsync(NpgsqlDataSource ds)
    {
        var parts = new List<string>();
        foreach (var sql in new[]
        {
            "select customer_id, status, merged_into, email, customer_name, phone, address, postcode, country, date_of_birth, first_seen, last_seen, source_count, updated_at from core.customer order by 1",
            "select source, source_customer_id, customer_id, linked_at from core.customer_identity order by 1, 2",
            "select * from identity.merge_evidence order by 2, 3, 4, 5",
            "select * from identity.customer_history order by 1",
            "select * from identity.clean_record order by 1, 2",
            "select quarantine_id, unit_path, reason from quarantine.record order by 1",
            "select model_id, model from identity.model order by 1",
        })
        {
            await using var command = ds.CreateCommand(sql);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var values = new object[reader.FieldCount];
                reader.GetValues(values);
                parts.Add(string.Join('|', values.Select(v => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture))));
            }

            parts.Add("--");
        }

        return string.Join('\n', parts);
    }
}

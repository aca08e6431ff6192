using Crm.IntegrationTests.Infrastructure;

namespace Crm.IntegrationTests.Churn;

/// <summary>
/// Web and email features against the tables the weblogs (issue 5) and email (issue 6) stages write
/// (migrations 0100 and 0200), with hand-counted expected values.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class EngagementFeatureTests(PostgresCluster cluster)
{
    [Fact]
    public async Task WebAndEmailFeatures_CountOnlyHumanActivityBeforeTheCutoff()
    {
        await using var ds = await cluster.CreateMigratedDatabaseAsync("engage");
        await SyntheticOrders.InsertAsync(ds, [new TestLine("c1", "o1", SyntheticOrders.Utc(2024, 5, 1), "s1", 10m)]);
        await ds.ExecuteAsync(
            """
            create table core.web_event_p202405 partition of core.web_event for values from ('2024-05-01') to ('2024-06-01');
            create table core.web_event_p202406 partition of core.web_event for values from ('2024-06-01') to ('2024-07-01');
            create table core.web_event_p202407 partition of core.web_event for values from ('2024-07-01') to ('2024-08-01');
            insert into core.web_visitor_link (visitor_key, source, source_customer_id, evidence, first_seen, last_seen)
              values ('c:v1', 'orders:test', 'c1', 'login', '2024-01-01', '2024-06-01');
            -- sessions: 2 human in the last 30 days (one with a cart and no conversion), 1 human 60 days before, 1 bot, 1 after the cutoff
            insert into core.web_session (site, visitor_key, session_start, session_end, session_key, events, pages, assets, converted, is_bot) values
              ('shop', 'c:v1', '2024-06-20 10:00', '2024-06-20 10:20', 's1', 3, 3, 0, false, false),
              ('shop', 'c:v1', '2024-06-25 10:00', '2024-06-25 10:10', 's2', 2, 2, 0, true,  false),
              ('shop', 'c:v1', '2024-05-01 10:00', '2024-05-01 10:05', 's3', 4, 4, 0, false, false),
              ('shop', 'c:v1', '2024-06-26 10:00', '2024-06-26 10:05', 's4', 9, 9, 0, false, true),
              ('shop', 'c:v1', '2024-07-02 10:00', '2024-07-02 10:05', 's5', 5, 5, 0, false, false);
            insert into core.web_event (site, event_ts, visitor_key, ledger_id, file_key, byte_offset, path, status, is_bot, is_page, is_asset, is_conversion) values
              ('shop', '2024-06-20 10:01', 'c:v1', 0, 'f', 1, '/products/42', 200, false, true, false, false),
              ('shop', '2024-06-20 10:02', 'c:v1', 0, 'f', 2, '/p/7', 200, false, true, false, false),
              ('shop', '2024-06-20 10:03', 'c:v1', 0, 'f', 3, '/cart', 200, false, true, false, false),
              ('shop', '2024-06-25 10:01', 'c:v1', 0, 'f', 4, '/products/1', 200, false, true, false, false),
              ('shop', '2024-06-25 10:02', 'c:v1', 0, 'f', 5, '/cart', 200, false, true, false, false),
              ('shop', '2024-06-26 10:01', 'c:v1', 0, 'f', 6, '/products/9', 200, true, true, false, false),
              ('shop', '2024-07-02 10:01', 'c:v1', 0, 'f', 7, '/products/5', 200, false, true, false, false);
            insert into core.customer_identity (source, source_customer_id, customer_id)
              select 'email', 'a@x.org', customer_id from core.customer_identity where source_customer_id = 'c1';
            insert into ops.ingest_ledger (ledger_id, source, unit_key) overriding system value values (1, 'email', 'test');
            insert into core.email (dedupe_key, content_hash, thread_key, sent_at, from_address, direction, customer_address, intents, source_kind, source_location, ledger_id) values
              ('m1', 'h1', 't1', '2024-06-01 09:00', 'a@x.org', 'inbound',  'A@x.org', '{complaint}', 'eml', 'x', 1),
              ('m2', 'h2', 't1', '2024-06-01 13:00', 'staff@shop', 'outbound', 'A@x.org', '{}', 'eml', 'x', 1),
              ('m3', 'h3', 't2', '2024-06-10 09:00', 'a@x.org', 'inbound',  'a@x.org', '{refund}', 'eml', 'x', 1),
              ('m4', 'h4', 't2', '2024-07-05 09:00', 'staff@shop', 'outbound', 'a@x.org', '{}', 'eml', 'x', 1),
              ('m5', 'h5', 't3', '2024-07-03 09:00', 'a@x.org', 'inbound',  'a@x.org', '{complaint}', 'eml', 'x', 1);
            """);

        await FeatureBuilderTests.Builder(ds).BuildAsync(new DateOnly(2024, 7, 1), CancellationToken.None);

        await using var cmd = ds.CreateCommand(
            """
            select web_sessions_30, web_sessions_90, web_pages_90, web_product_views_90, web_cart_abandon_90, web_days_since_visit,
                   email_complaints_365, email_cancel_requests_365, email_unanswered_threads, email_avg_response_hours, email_days_since_contact
            from ml.customer_features
            """);
        await using var r = await cmd.ExecuteReaderAsync();
        Assert.True(await r.ReadAsync());
        Assert.Equal(2, r.GetDouble(0));                       // 06-20 and 06-25; the bot session and 07-02 do not count
        Assert.Equal(3, r.GetDouble(1));                       // + 05-01
        Assert.Equal(3 + 2 + 4, r.GetDouble(2));
        Assert.Equal(3, r.GetDouble(3));                       // /products/42, /p/7, /products/1
        Assert.Equal(1, r.GetDouble(4));                       // 06-20 carted without converting; 06-25 converted
        Assert.Equal(5 + 14.0 / 24, r.GetDouble(5), 6);        // last human session 06-25 10:00
        Assert.Equal(1, r.GetDouble(6));                       // the 07-03 complaint is after the cutoff
        Assert.Equal(1, r.GetDouble(7));
        Assert.Equal(1, r.GetDouble(8));                       // t2's answer comes after the cutoff
        Assert.Equal(4, r.GetDouble(9), 6);                    // t1: 4 hours
        Assert.Equal(20 + 15.0 / 24, r.GetDouble(10), 6);      // last message before the cutoff: 06-10 09:00
        Assert.False(await r.ReadAsync());
    }
}

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

    [Fact]
    public async Task TrendRegularityCampaignAndSentimentFeatures_MatchHandComputedValues()
    {
        await using var ds = await cluster.CreateMigratedDatabaseAsync("engage_trend");
        // Orders at noon: 2023-08-01 (30), 2024-01-01 (10), 2024-03-01 (20), 2024-06-10 (40); cutoff 2024-07-01.
        await SyntheticOrders.InsertAsync(ds,
        [
            new TestLine("c1", "o1", SyntheticOrders.Utc(2023, 8, 1), "s1", 30m),
            new TestLine("c1", "o2", SyntheticOrders.Utc(2024, 1, 1), "s1", 10m),
            new TestLine("c1", "o3", SyntheticOrders.Utc(2024, 3, 1), "s1", 20m),
            new TestLine("c1", "o4", SyntheticOrders.Utc(2024, 6, 10), "s1", 40m),
        ]);
        await ds.ExecuteAsync(
            """
            insert into core.web_visitor_link (visitor_key, source, source_customer_id, evidence, first_seen, last_seen)
              values ('c:v1', 'orders:test', 'c1', 'login', '2024-01-01', '2024-06-01');
            -- 06-05 before the last order; 06-15 an email campaign landing; 06-20 plain; 06-26 a bot;
            -- 03-01 a paid campaign landing (more than 90 days back); 07-02 after the cutoff.
            insert into core.web_session (site, visitor_key, session_start, session_end, session_key, events, pages, assets, converted, is_bot, utm_source, utm_medium, utm_campaign, product_views, carted) values
              ('shop', 'c:v1', '2024-06-05 10:00', '2024-06-05 10:20', 's1', 3, 3, 0, false, false, null, null, null, 0, false),
              ('shop', 'c:v1', '2024-06-15 10:00', '2024-06-15 10:10', 's2', 2, 2, 0, false, false, 'email', 'Email', 'summer', 0, false),
              ('shop', 'c:v1', '2024-06-20 10:00', '2024-06-20 10:05', 's3', 4, 4, 0, false, false, null, null, null, 0, false),
              ('shop', 'c:v1', '2024-06-26 10:00', '2024-06-26 10:05', 's4', 9, 9, 0, false, true, 'email', 'email', 'summer', 0, false),
              ('shop', 'c:v1', '2024-03-01 10:00', '2024-03-01 10:05', 's5', 1, 1, 0, false, false, 'ads', 'cpc', 'spring', 0, false),
              ('shop', 'c:v1', '2024-07-02 10:00', '2024-07-02 10:05', 's6', 5, 5, 0, false, false, 'email', 'email', 'july', 0, false);
            insert into core.customer_identity (source, source_customer_id, customer_id)
              select 'email', 'a@x.org', customer_id from core.customer_identity where source_customer_id = 'c1';
            insert into core.campaign_send (tracking_token, email, campaign, sent_at, ledger_id) values
              ('t1', 'a@x.org', 'summer', '2024-06-14 09:00', 0),
              ('t2', 'a@x.org', 'spring', '2024-03-01 09:00', 0),
              ('t3', 'a@x.org', 'old', '2023-05-01 09:00', 0),
              ('t4', 'a@x.org', 'july', '2024-07-01 09:00', 0),
              ('t5', 'b@x.org', 'summer', '2024-06-14 09:00', 0);
            insert into ops.ingest_ledger (ledger_id, source, unit_key) overriding system value values (1, 'email', 'test');
            insert into core.email (dedupe_key, content_hash, thread_key, sent_at, from_address, direction, customer_address, subject, body_text, source_kind, source_location, ledger_id) values
              ('m1', 'h1', 't1', '2024-06-01 09:00', 'a@x.org', 'inbound',  'a@x.org', 'Very disappointed', 'The item is damaged. Thanks anyway.', 'eml', 'x', 1),
              ('m2', 'h2', 't1', '2024-06-02 09:00', 'a@x.org', 'inbound',  'a@x.org', null, 'Thanks for the quick answer!', 'eml', 'x', 1),
              ('m3', 'h3', 't2', '2024-06-03 09:00', 'a@x.org', 'inbound',  'A@x.org', 'Lieferung', 'Ich bin sehr Enttäuscht.', 'eml', 'x', 1),
              ('m4', 'h4', 't2', '2024-06-04 09:00', 'a@x.org', 'inbound',  'a@x.org', 'Parcel', 'Hello, where is my parcel 42?', 'eml', 'x', 1),
              ('m5', 'h5', 't3', '2024-06-04 10:00', 'staff@shop', 'outbound', 'a@x.org', 'Re: Parcel', 'Thank you, great, perfect.', 'eml', 'x', 1),
              ('m6', 'h6', 't4', '2023-05-01 09:00', 'a@x.org', 'inbound',  'a@x.org', 'Old', 'terrible', 'eml', 'x', 1),
              ('m7', 'h7', 't5', '2024-07-03 09:00', 'a@x.org', 'inbound',  'a@x.org', 'Later', 'awful', 'eml', 'x', 1);
            """);

        await FeatureBuilderTests.Builder(ds).BuildAsync(new DateOnly(2024, 7, 1), CancellationToken.None);

        await using var cmd = ds.CreateCommand(
            """
            select spend_trend, interpurchase_cv, recency_gap_ratio, web_sessions_since_order, web_campaign_clicks_90,
                   campaign_sends_365, campaign_click_rate_365, email_sentiment_365
            from ml.customer_features
            """);
        await using var r = await cmd.ExecuteReaderAsync();
        Assert.True(await r.ReadAsync());
        // Spend from 2024-01-03 on: 20 + 40; from 2023-07-07 to 2024-01-03: 30 + 10.
        Assert.Equal((60.0 - 40) / (60 + 40), r.GetDouble(0), 9);
        // Gaps 153, 60 and 101 days: mean 104.667, sample standard deviation 46.52.
        var mean = (153.0 + 60 + 101) / 3;
        var sd = Math.Sqrt((Math.Pow(153 - mean, 2) + Math.Pow(60 - mean, 2) + Math.Pow(101 - mean, 2)) / 2);
        Assert.Equal(sd / mean, r.GetDouble(1), 9);
        Assert.Equal(20.5 / mean, r.GetDouble(2), 9);          // last order 06-10 12:00, 20.5 days before the cutoff
        Assert.Equal(2, r.GetDouble(3));                       // 06-15 and 06-20; not the bot, not 06-05
        Assert.Equal(1, r.GetDouble(4));                       // 06-15; 03-01 is more than 90 days back
        Assert.Equal(2, r.GetDouble(5));                       // t1 and t2; t3 too old, t4 on the cutoff day
        Assert.Equal(1.0 / 2, r.GetDouble(6), 9);              // one email landing (06-15) of two mails
        // m1: (−1 −1 +1)/3; m2: +1; m3: −1; m4: no lexicon word, 0. Outbound, older and later mail do not count.
        Assert.Equal((-1.0 / 3 + 1 - 1 + 0) / 4, r.GetDouble(7), 9);
        Assert.False(await r.ReadAsync());
    }
}

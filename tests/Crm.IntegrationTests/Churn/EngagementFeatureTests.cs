using Crm.IntegrationTests.Infrastructure;

namespace Crm.IntegrationTests.Churn;

/// <summary>
/// Web and email features against the tables the weblogs (issue 5) and email (issue 6) stages write.
/// Those stages' migrations are on other branches, so the test creates the columns the feature SQL
/// reads, copied from their DDL (0100_web_logs.sql, 0200_email.sql), and checks counted values.
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
            create table core.web_event (site text not null, event_ts timestamptz not null, visitor_key text not null,
                path text, is_bot boolean not null, is_page boolean not null);
            create table core.web_session (site text not null, visitor_key text not null, session_start timestamptz not null,
                session_end timestamptz not null, pages integer not null, converted boolean not null, is_bot boolean not null);
            create table core.web_visitor_link (visitor_key text not null, source text not null, source_customer_id text not null,
                evidence text not null, first_seen timestamptz not null, last_seen timestamptz not null);
            create table core.email (thread_key text not null, sent_at timestamptz not null, direction text not null,
                customer_address text, intents text[] not null default '{}');
            insert into core.web_visitor_link values ('c:v1', 'orders:test', 'c1', 'login', '2024-01-01', '2024-06-01');
            -- sessions: 2 human in the last 30 days (one with a cart and no conversion), 1 human 60 days before, 1 bot, 1 after the cutoff
            insert into core.web_session values
              ('shop', 'c:v1', '2024-06-20 10:00', '2024-06-20 10:20', 3, false, false),
              ('shop', 'c:v1', '2024-06-25 10:00', '2024-06-25 10:10', 2, true,  false),
              ('shop', 'c:v1', '2024-05-01 10:00', '2024-05-01 10:05', 4, false, false),
              ('shop', 'c:v1', '2024-06-26 10:00', '2024-06-26 10:05', 9, false, true),
              ('shop', 'c:v1', '2024-07-02 10:00', '2024-07-02 10:05', 5, false, false);
            insert into core.web_event values
              ('shop', '2024-06-20 10:01', 'c:v1', '/products/42', false, true),
              ('shop', '2024-06-20 10:02', 'c:v1', '/p/7', false, true),
              ('shop', '2024-06-20 10:03', 'c:v1', '/cart', false, true),
              ('shop', '2024-06-25 10:01', 'c:v1', '/products/1', false, true),
              ('shop', '2024-06-25 10:02', 'c:v1', '/cart', false, true),
              ('shop', '2024-06-26 10:01', 'c:v1', '/products/9', true, true),
              ('shop', '2024-07-02 10:01', 'c:v1', '/products/5', false, true);
            insert into core.customer_identity (source, source_customer_id, customer_id)
              select 'email', 'a@x.org', customer_id from core.customer_identity where source_customer_id = 'c1';
            insert into core.email values
              ('t1', '2024-06-01 09:00', 'inbound',  'A@x.org', '{complaint}'),
              ('t1', '2024-06-01 13:00', 'outbound', 'A@x.org', '{}'),
              ('t2', '2024-06-10 09:00', 'inbound',  'a@x.org', '{refund}'),
              ('t2', '2024-07-05 09:00', 'outbound', 'a@x.org', '{}'),
              ('t3', '2024-07-03 09:00', 'inbound',  'a@x.org', '{complaint}');
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

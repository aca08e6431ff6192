using Crm.IntegrationTests.Infrastructure;
using Crm.Pipeline.Sources.Orders;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Crm.IntegrationTests.Reports;

/// <summary>
/// A plausible warehouse for the demo report: the real CDNOW sample (1997–98 CD purchases) loaded through
/// the order ingester, one golden customer per CDNOW customer (made-up names and regions), and stand-ins for
/// what the churn, CLV and segment stages would write as of 1 April 1998 — derived from each customer's own
/// order history so the figures hang together. The scores are illustrative, not a trained model's.
/// </summary>
public static class DemoReportWarehouse
{
    /// <summary>The demo's "now": Wednesday 1 April 1998, 09:00 in New York — the March 1998 report is due.</summary>
    public static readonly DateTimeOffset AsOf = new(1998, 4, 1, 13, 0, 0, TimeSpan.Zero);

    public static async Task FillAsync(NpgsqlDataSource ds)
    {
        var ingester = new OrderFeedIngester(ds, NullLogger<OrderFeedIngester>.Instance);
        var result = await ingester.IngestFileAsync(TestData.CdnowSample, TestData.LoadFeed("cdnow"), null, CancellationToken.None);
        if (result.Error is not null)
        {
            throw new InvalidOperationException("CDNOW sample did not load: " + result.Error);
        }

        await ds.ExecuteAsync(
            """
            with first_names(i, n) as (select row_number() over () - 1, n from unnest(array[
                'Olivia','Liam','Emma','Noah','Ava','Elijah','Sophia','James','Isabella','Lucas','Mia','Mason','Amelia','Ethan',
                'Harper','Logan','Evelyn','Aiden','Abigail','Jackson','Emily','Sebastian','Ella','Mateo','Chloe','Henry','Grace',
                'Leo','Zoe','Daniel','Nora','Wei','Mei','Hiroshi','Yuki','Priya','Arjun','Lena','Jonas','Sofia']) n),
            last_names(i, n) as (select row_number() over () - 1, n from unnest(array[
                'Smith','Johnson','Williams','Brown','Jones','Garcia','Miller','Davis','Rodriguez','Martinez','Hernandez','Lopez',
                'Wilson','Anderson','Thomas','Taylor','Moore','Jackson','Martin','Lee','Thompson','White','Harris','Clark','Lewis',
                'Walker','Hall','Young','King','Wright','Chen','Wang','Tanaka','Sato','Patel','Sharma','Müller','Schmidt','Rossi','Dubois']) n),
            sc as (select source_customer_id, first_seen, last_seen, source_customer_id::int as k from core.source_customer where source = 'orders:cdnow')
            insert into core.customer (customer_id, customer_name, email, region, first_seen, last_seen)
            select sc.k, f.n || ' ' || l.n,
                   lower(f.n) || '.' || lower(l.n) || sc.k || '@example.com',
                   (array['North America','North America','North America','Europe','Europe','Asia Pacific'])[1 + sc.k % 6],
                   sc.first_seen, sc.last_seen
            from sc join first_names f on f.i = (sc.k * 7) % 40 join last_names l on l.i = (sc.k * 13 + sc.k / 40) % 40;

            insert into core.customer_identity (source, source_customer_id, customer_id)
            select 'orders:cdnow', source_customer_id, source_customer_id::int from core.source_customer where source = 'orders:cdnow';

            -- Order history per customer as of 1 April 1998.
            create temporary table demo_stats as
            select ci.customer_id,
                   extract(epoch from (timestamptz '1998-04-01' - max(o.order_ts))) / 86400 as recency_days,
                   extract(epoch from (timestamptz '1998-04-01' - min(o.order_ts))) / 86400 as tenure_days,
                   count(*) as orders, sum(o.total_amount) as spend,
                   (abs(hashtext(ci.customer_id::text)) % 1000) / 1000.0 - 0.5 as noise
            from core."order" o
            join core.customer_identity ci on ci.source = 'orders:cdnow' and ci.source_customer_id = o.source_customer_id
            where o.order_ts < '1998-04-01'
            group by ci.customer_id;

            insert into ml.churn_score (customer_id, scored_at, model_version, probability, risk_band, top_drivers)
            select customer_id, '1998-04-01 02:00+00', 'churn-1998.03.2', p,
                   case when p >= 0.6 then 'high' when p >= 0.3 then 'medium' else 'low' end,
                   jsonb_build_array(
                       jsonb_build_object('feature', 'days since last order', 'value', round(recency_days), 'contribution', round(((recency_days - 90) / 120.0)::numeric, 3), 'direction', case when recency_days > 90 then 'up' else 'down' end),
                       jsonb_build_object('feature', 'few repeat orders', 'value', orders, 'contribution', round((0.9 - ln(orders))::numeric * 0.5, 3), 'direction', case when orders < 3 then 'up' else 'down' end),
                       jsonb_build_object('feature', 'falling basket size', 'value', round(spend / orders, 2), 'contribution', round((noise + 0.2)::numeric, 3), 'direction', case when noise > -0.2 then 'up' else 'down' end))
            from (select *, 1 / (1 + exp(-((recency_days - 100) / 45.0 - ln(orders) * 0.9 + noise * 1.5))) as p from demo_stats) s;

            insert into ml.churn_score (customer_id, scored_at, model_version, probability, risk_band, top_drivers)
            select customer_id, '1998-03-01 02:00+00', 'churn-1998.02.1', least(0.99, greatest(0.01, probability * 0.9 + 0.03)), risk_band, top_drivers
            from ml.churn_score where scored_at = '1998-04-01 02:00+00';

            -- CLV: purchase rate so far × expected remaining life × average basket, over one year.
            insert into ml.customer_value (customer_id, computed_at, p_alive, expected_purchases, expected_avg_value, clv, horizon_days)
            select s.customer_id, ts, 1 - c.probability,
                   e, s.spend / s.orders, e * s.spend / s.orders * 0.92, 365
            from demo_stats s
            join ml.churn_score c on c.customer_id = s.customer_id and c.scored_at = '1998-04-01 02:00+00'
            cross join lateral (values (s.orders / greatest(s.tenure_days, 60) * 365 * (1 - c.probability))) x(e)
            cross join (values (timestamptz '1998-04-01 03:00+00'), (timestamptz '1998-03-01 03:00+00'), (timestamptz '1998-02-01 03:00+00')) t(ts);

            insert into ml.customer_segment (customer_id, as_of, scheme, segment)
            select customer_id, '1998-04-01', 'rfm',
                   case when recency_days <= 60 and orders >= 4 then 'Champions'
                        when recency_days <= 120 and orders >= 3 then 'Loyal'
                        when tenure_days <= 90 then 'New'
                        when recency_days <= 120 then 'Promising'
                        when orders >= 3 then 'At risk'
                        else 'Hibernating' end
            from demo_stats;

            insert into ml.model (kind, version, trainer, metrics, status, status_reason, created_at, promoted_at) values
              ('churn', 'churn-1998.02.1', 'FastTree', '{"auc": 0.774}', 'retired', 'replaced by churn-1998.03.2', '1998-03-01 01:00+00', '1998-03-01 01:30+00'),
              ('churn', 'churn-1998.03.2', 'LightGbm', '{"auc": 0.801}', 'champion', 'AUC +0.027 on the March backtest', '1998-03-29 01:00+00', '1998-03-29 01:30+00'),
              ('churn', 'churn-1998.03.3', 'FastTree', '{"auc": 0.792}', 'challenger', null, '1998-03-31 01:00+00', null);
            """);
    }
}

-- Headline figures for any number of periods [s, e), one row per period (by ordinal).
-- A customer is active at time t when they ordered in [t - W, t), W = @churn_days.
-- customers_at_start: active at s; churned: active at s and no longer at e;
-- retained: active at s and ordered again in the period; new: first order ever in the period;
-- active: active at e; clv_active: latest CLV (as of @clv_asof) summed over the active base.
, p as (
    select i::int as i, s, e, a
    from unnest(@starts::timestamptz[], @ends::timestamptz[], @clv_asof::timestamptz[]) with ordinality as t(s, e, a, i)
),
first_order as (
    select customer_id, min(order_ts) as first_ts from o where customer_id is not null group by customer_id
)
select p.i,
       r.revenue, r.orders,
       c.customers_at_start, c.active_customers, c.churned, c.retained,
       (select count(*) from first_order f where f.first_ts >= p.s and f.first_ts < p.e) as new_customers,
       v.clv_active, v.clv_customers
from p
cross join lateral (
    select coalesce(sum(o.total_amount), 0)::numeric as revenue, count(*)::bigint as orders
    from o where o.order_ts >= p.s and o.order_ts < p.e
) r
cross join lateral (
    select count(*) filter (where at_start)                  as customers_at_start,
           count(*) filter (where at_end)                    as active_customers,
           count(*) filter (where at_start and not at_end)   as churned,
           count(*) filter (where at_start and in_period)    as retained
    from (
        select o.customer_id,
               bool_or(o.order_ts >= p.s - make_interval(days => @churn_days) and o.order_ts < p.s) as at_start,
               bool_or(o.order_ts >= p.e - make_interval(days => @churn_days) and o.order_ts < p.e) as at_end,
               bool_or(o.order_ts >= p.s and o.order_ts < p.e) as in_period
        from o
        where o.customer_id is not null
          and o.order_ts < p.e
          and o.order_ts >= least(p.s, p.e) - make_interval(days => @churn_days)
        group by o.customer_id
    ) x
) c
cross join lateral (
    select sum(lv.clv)::double precision as clv_active, count(lv.clv)::bigint as clv_customers
    from (
        select distinct on (cv.customer_id) cv.clv
        from ml.customer_value cv
        where cv.computed_at <= p.a
          and cv.customer_id in (select o.customer_id from o
                                 where o.customer_id is not null
                                   and o.order_ts >= p.e - make_interval(days => @churn_days) and o.order_ts < p.e)
        order by cv.customer_id, cv.computed_at desc
    ) lv
) v
order by p.i;

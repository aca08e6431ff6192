-- Headline figures for any number of periods [s, e), one row per period (by ordinal).
-- A customer is active at time t when they ordered in [t - W, t), W = @churn_days.
-- customers_at_start: active at s; churned: active at s and no longer at e;
-- retained: active at s and ordered again in the period; new: first order ever in the period;
-- active: active at e; clv_active: latest CLV (as of @clv_asof) summed over the active base.
-- Set-based: each CTE joins all periods to the orders once, instead of one scan per period.
, p as (
    -- Window bounds computed once per period, so the joins below compare plain timestamps.
    select i::int as i, s, e, a,
           s - make_interval(days => @churn_days) as sw,
           e - make_interval(days => @churn_days) as ew,
           least(s, e) - make_interval(days => @churn_days) as lo
    from unnest(@starts::timestamptz[], @ends::timestamptz[], @clv_asof::timestamptz[]) with ordinality as t(s, e, a, i)
),
first_order as (
    select customer_id, min(order_ts) as first_ts from o where customer_id is not null group by customer_id
),
rev as (
    select p.i, coalesce(sum(o.total_amount), 0)::numeric as revenue, count(o.order_ts)::bigint as orders
    from p left join o on o.order_ts >= p.s and o.order_ts < p.e
    group by p.i
),
flags as (
    select p.i, o.customer_id,
           bool_or(o.order_ts >= p.sw and o.order_ts < p.s) as at_start,
           bool_or(o.order_ts >= p.ew)                      as at_end,
           bool_or(o.order_ts >= p.s)                            as in_period
    from p
    join o on o.customer_id is not null and o.order_ts < p.e and o.order_ts >= p.lo
    group by p.i, o.customer_id
),
cust as (
    select i,
           count(*) filter (where at_start)                 as customers_at_start,
           count(*) filter (where at_end)                   as active_customers,
           count(*) filter (where at_start and not at_end)  as churned,
           count(*) filter (where at_start and in_period)   as retained
    from flags group by i
),
newc as (
    select p.i, count(f.customer_id)::bigint as new_customers
    from p left join first_order f on f.first_ts >= p.s and f.first_ts < p.e
    group by p.i
),
clv as (
    select f.i, sum(lv.clv)::double precision as clv_active, count(lv.clv)::bigint as clv_customers
    from flags f
    join p on p.i = f.i
    cross join lateral (
        select cv.clv from ml.customer_value cv
        where cv.customer_id = f.customer_id and cv.computed_at <= p.a
        order by cv.computed_at desc limit 1
    ) lv
    where f.at_end
    group by f.i
)
select p.i,
       rev.revenue, rev.orders,
       coalesce(cust.customers_at_start, 0), coalesce(cust.active_customers, 0), coalesce(cust.churned, 0), coalesce(cust.retained, 0),
       newc.new_customers,
       clv.clv_active, coalesce(clv.clv_customers, 0)
from p
join rev on rev.i = p.i
join newc on newc.i = p.i
left join cust on cust.i = p.i
left join clv on clv.i = p.i
order by p.i;

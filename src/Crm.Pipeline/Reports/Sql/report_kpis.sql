-- Headline figures for any number of periods [s, e), one row per period (by ordinal).
-- A customer is active at time t when they ordered in [t - W, t), W = @churn_days.
-- customers_at_start: active at s; churned: active at s and no longer at e;
-- retained: active at s and ordered again in the period; new: first order ever in the period;
-- active: active at e; clv_active: latest CLV (as of @clv_asof) summed over the active base.
-- The first three periods are the headline (current, previous, year before); the rest are trend
-- buckets, which show revenue and churn only, so CLV is summed for the first three.
--
-- One pass over the orders whatever the number of periods. Each of a customer's orders carries
-- the time of their previous and next order, so "the last order before t" is the one row with
-- ts < t <= next, and every figure counts rows whose ts and next fall in given ranges:
--   active at t   ⇔ the last order before t lies in [t - W, t)
--   churned       ⇔ for t = s it lies in [s - W, min(s, e - W)) and the next order is at or after e
--   retained      ⇔ it lies in [s - W, s) and the next order is before e
--   new           ⇔ no previous order and ts in [s, e)
-- Every range bound is one of the periods' s, e, s - W, e - W; with those sorted into one array,
-- width_bucket (a binary search) puts each order in a cell (bucket of ts, bucket of next) within
-- which every condition is constant, and each period sums the cells it wants.
, p as (
    select i::int as i, s, e, a,
           s - make_interval(days => @churn_days) as sw,
           e - make_interval(days => @churn_days) as ew
    from unnest(@starts::timestamptz[], @ends::timestamptz[], @clv_asof::timestamptz[]) with ordinality as t(s, e, a, i)
),
b as (
    select array_agg(x order by x) as th
    from (select distinct x from p cross join lateral unnest(array[p.s, p.e, p.sw, p.ew]) as x) d
),
pk as (
    -- Positions of each bound in the sorted array: ts >= bound ⇔ bucket >= position.
    select p.i, array_position(b.th, p.s) as ks, array_position(b.th, p.e) as ke,
           array_position(b.th, p.sw) as ksw, array_position(b.th, p.ew) as kew
    from p cross join b
),
seq as (
    select order_ts as ts,
           lag(order_ts) over w as prev_ts,
           coalesce(lead(order_ts) over w, 'infinity'::timestamptz) as next_ts
    from o
    where customer_id is not null
    window w as (partition by customer_id order by order_ts)
),
cells as (
    select width_bucket(q.ts, b.th) as bt, width_bucket(q.next_ts, b.th) as bn, q.prev_ts is null as first_order, count(*) as n
    from seq q cross join b
    group by 1, 2, 3
),
revcells as (
    select width_bucket(o.order_ts, b.th) as bt, sum(o.total_amount) as amount, count(*) as n
    from o cross join b
    group by 1
),
rev as (
    select pk.i, coalesce(sum(r.amount), 0)::numeric as revenue, coalesce(sum(r.n), 0)::bigint as orders
    from pk left join revcells r on r.bt >= pk.ks and r.bt < pk.ke
    group by pk.i
),
cust as (
    select pk.i,
           coalesce(sum(c.n) filter (where c.bt >= pk.ksw and c.bt < pk.ks and c.bn >= pk.ks), 0)::bigint                     as customers_at_start,
           coalesce(sum(c.n) filter (where c.bt >= pk.kew and c.bt < pk.ke and c.bn >= pk.ke), 0)::bigint                     as active_customers,
           coalesce(sum(c.n) filter (where c.bt >= pk.ksw and c.bt < least(pk.ks, pk.kew) and c.bn >= pk.ke), 0)::bigint     as churned,
           coalesce(sum(c.n) filter (where c.bt >= pk.ksw and c.bt < pk.ks and c.bn >= pk.ks and c.bn < pk.ke), 0)::bigint   as retained,
           coalesce(sum(c.n) filter (where c.first_order and c.bt >= pk.ks and c.bt < pk.ke), 0)::bigint                      as new_customers
    from pk cross join cells c
    group by pk.i
),
active_end as (
    -- The customers active at e of the headline periods, for their CLV.
    select p.i, p.a, x.customer_id
    from p
    cross join lateral (
        select distinct o.customer_id from o
        where o.customer_id is not null and o.order_ts >= p.ew and o.order_ts < p.e
    ) x
    where p.i <= 3
),
clv as (
    select ae.i, sum(lv.clv * coalesce(cf.factor, 1))::double precision as clv_active, count(lv.clv)::bigint as clv_customers
    from active_end ae
    left join cfx cf on cf.customer_id = ae.customer_id
    cross join lateral (
        select cv.clv from ml.customer_value cv
        where cv.customer_id = ae.customer_id and cv.computed_at <= ae.a
        order by cv.computed_at desc limit 1
    ) lv
    group by ae.i
)
select p.i,
       rev.revenue, rev.orders,
       coalesce(cust.customers_at_start, 0), coalesce(cust.active_customers, 0), coalesce(cust.churned, 0),
       coalesce(cust.retained, 0), coalesce(cust.new_customers, 0),
       clv.clv_active, coalesce(clv.clv_customers, 0)
from p
join rev on rev.i = p.i
left join cust on cust.i = p.i
left join clv on clv.i = p.i
order by p.i;

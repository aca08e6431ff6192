-- Shared head of the report queries (prepended by ReportQueries): the orders in the recipient's
-- scope, each mapped to its golden customer, and each customer's current segment. Not materialized:
-- each use filters on order_ts, so the planner can range-scan the order_ts index per period.
-- Parameters: @region, @segment, @channel (null = no filter), @scheme (segment scheme); @target, the
-- report currency (null = amounts as they are), and @fx_codes/@fx_rates, units of each currency per one
-- @target. total_amount is in @target; factor converts the customer's other amounts (CLV) the same way.
-- A currency without a rate keeps factor 1 (unconverted); the report names it.
with seg as (
    select distinct on (customer_id) customer_id, segment
    from ml.customer_segment
    where scheme = @scheme
    order by customer_id, as_of desc
),
fx as (
    select upper(code) as code, rate from unnest(@fx_codes::text[], @fx_rates::numeric[]) as f(code, rate)
),
o as not materialized (
    select o.order_ts, o.total_amount * x.factor as total_amount, o.currency, x.factor, ci.customer_id
    from core."order" o
    left join fx on fx.code = upper(o.currency)
    cross join lateral (
        select coalesce(case when @target::text is null or upper(o.currency) = @target::text then 1::numeric end, 1 / fx.rate, 1::numeric) as factor
    ) x
    left join core.customer_identity ci
           on ci.source = 'orders:' || o.feed and ci.source_customer_id = o.source_customer_id
    left join core.customer c on c.customer_id = ci.customer_id
    left join seg s on s.customer_id = ci.customer_id
    where o.status not in ('cancelled', 'returned')
      and (@channel::text is null or o.feed = @channel::text)
      and (@region::text is null or c.region = @region::text)
      and (@segment::text is null or s.segment = @segment::text)
)
,
cfx as (
    -- Each customer's conversion factor: that of their latest order (a customer pays in one currency).
    select distinct on (customer_id) customer_id, factor::double precision as factor
    from o where customer_id is not null
    order by customer_id, order_ts desc
)

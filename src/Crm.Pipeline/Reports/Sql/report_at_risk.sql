-- Customers most worth saving: latest churn probability × latest CLV (both as of @asof), among
-- golden customers in scope; with their main churn drivers (and when they were scored, for
-- the dates in the drivers' words) and last order.
, last_order as (
    select customer_id, max(order_ts) as last_order_ts, count(*)::bigint as orders
    from o where customer_id is not null and o.order_ts < @asof
    group by customer_id
)
select c.customer_id,
       coalesce(c.customer_name, c.email, 'customer #' || c.customer_id) as customer_name,
       c.email, c.region,
       seg.segment,
       s.probability, s.risk_band,
       coalesce(v.clv * cf.factor, v.clv, 0)::double precision as clv,
       (s.probability * coalesce(v.clv * cf.factor, v.clv, 0))::double precision as value_at_risk,
       s.top_drivers::text as top_drivers,
       lo.last_order_ts, coalesce(lo.orders, 0) as orders,
       c.phone,
       s.scored_at
from scope_customers sc
join core.customer c on c.customer_id = sc.customer_id and c.status = 'active'
join score s on s.customer_id = c.customer_id
left join value v on v.customer_id = c.customer_id
left join cfx cf on cf.customer_id = c.customer_id
left join seg on seg.customer_id = c.customer_id
left join last_order lo on lo.customer_id = c.customer_id
order by value_at_risk desc, s.probability desc, c.customer_id
limit @top;

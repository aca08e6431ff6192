-- Segment mix of the active base at the period end (@e): customers and period revenue per segment.
, active as (
    select o.customer_id,
           sum(o.total_amount) filter (where o.order_ts >= @s) as revenue
    from o
    where o.customer_id is not null
      and o.order_ts >= @e - make_interval(days => @churn_days) and o.order_ts < @e
    group by o.customer_id
)
select coalesce(seg.segment, '(unsegmented)') as segment,
       count(*)::bigint as customers,
       coalesce(sum(a.revenue), 0)::numeric as revenue
from active a
left join seg on seg.customer_id = a.customer_id
group by 1
order by customers desc, segment;

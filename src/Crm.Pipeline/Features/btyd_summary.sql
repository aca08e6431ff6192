-- Buy-till-you-die summary of every active golden customer as of @cutoff, in weeks: purchase days
-- before the cutoff (same-day orders are one transaction), x = repeat days, t_x = first to last day,
-- T = first day to the last day before the cutoff, monetary = mean value of the repeat days.
-- @sample: only the customers of that hash sample (Features/FeatureSample.cs; 1048576 = everyone).
with d as (
    select ci.customer_id, (o.order_ts at time zone 'UTC')::date as day, sum(o.total_amount) as value
    from core."order" o
    join core.customer_identity ci
      on ci.source = 'orders:' || o.feed and ci.source_customer_id = o.source_customer_id
    join core.customer c on c.customer_id = ci.customer_id and c.status = 'active'
    where o.order_ts < @cutoff and o.status <> 'cancelled'
      and (@sample >= 1048576 or (hashint8(ci.customer_id) & 1048575) < @sample)
    group by 1, 2
),
r as (
    select d.*, row_number() over (partition by d.customer_id order by d.day) as rn
    from d
)
select customer_id,
       (count(*) - 1)::double precision as x,
       (max(day) - min(day)) / 7.0::double precision as recency,
       ((@cutoff_date - 1) - min(day)) / 7.0::double precision as age,
       coalesce(avg(value) filter (where rn > 1), 0)::double precision as monetary
from r
group by customer_id
order by customer_id;

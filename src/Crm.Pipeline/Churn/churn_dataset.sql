-- Features of the customers active at @cutoff (last purchase at most @active days before it) and,
-- when @horizon > 0, their label: churned = no non-cancelled purchase in [@cutoff, @cutoff + horizon).
-- @sample: only the customers of that hash sample (Features/FeatureSample.cs; 1048576 = everyone).
with buyers as (
    select distinct ci.customer_id
    from core."order" o
    join core.customer_identity ci
      on ci.source = 'orders:' || o.feed and ci.source_customer_id = o.source_customer_id
    where @horizon > 0
      and o.status <> 'cancelled'
      and o.order_ts >= @cutoff and o.order_ts < @cutoff + make_interval(days => @horizon)
)
select f.*, case when @horizon > 0 then b.customer_id is null end as churned
from ml.customer_features f
left join buyers b on b.customer_id = f.customer_id
where f.cutoff = @cutoff_date and f.recency_days <= @active
  and (@sample >= 1048576 or (hashint8(f.customer_id) & 1048575) < @sample)
order by f.customer_id;

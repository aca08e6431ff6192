-- Shared head of the report queries (prepended by ReportQueries): the orders in the recipient's
-- scope, each mapped to its golden customer, and each customer's current segment.
-- Parameters: @region, @segment, @channel (null = no filter), @scheme (segment scheme).
with seg as (
    select distinct on (customer_id) customer_id, segment
    from ml.customer_segment
    where scheme = @scheme
    order by customer_id, as_of desc
),
o as materialized (
    select o.order_ts, o.total_amount, ci.customer_id
    from core."order" o
    left join core.customer_identity ci
           on ci.source = 'orders:' || o.feed and ci.source_customer_id = o.source_customer_id
    left join core.customer c on c.customer_id = ci.customer_id
    left join seg s on s.customer_id = ci.customer_id
    where o.status not in ('cancelled', 'returned')
      and (@channel::text is null or o.feed = @channel::text)
      and (@region::text is null or c.region = @region::text)
      and (@segment::text is null or s.segment = @segment::text)
)

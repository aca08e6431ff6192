-- Won back: golden customers in scope who ordered in the period [@s, @e) after more than @churn_days days
-- without an order, i.e. who had been counted as churned; how many, and what they spent in the period.
, seq as (
    select customer_id, order_ts, total_amount,
           lag(order_ts) over (partition by customer_id order by order_ts) as prev_ts
    from o
    where customer_id is not null and order_ts < @e
),
back as (
    select distinct customer_id from seq
    where order_ts >= @s and prev_ts is not null and prev_ts < order_ts - make_interval(days => @churn_days)
)
select count(*)::bigint as customers,
       coalesce((select sum(q.total_amount) from seq q join back b on b.customer_id = q.customer_id where q.order_ts >= @s), 0)::numeric as revenue
from back;

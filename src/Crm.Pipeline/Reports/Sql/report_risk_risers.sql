-- Customers whose churn risk rose most since the last report: each active golden customer in scope with
-- their latest score as of @asof and their latest score as of @prev_asof (the previous report's "now"),
-- both kept in ml.churn_score's history; the largest rises first, only rises, at most @top.
, scope_customers as (
    select distinct customer_id from o where customer_id is not null
),
now_score as (
    select distinct on (customer_id) customer_id, scored_at, probability, top_drivers
    from ml.churn_score
    where scored_at <= @asof
    order by customer_id, scored_at desc
),
then_score as (
    select distinct on (customer_id) customer_id, scored_at, probability
    from ml.churn_score
    where scored_at <= @prev_asof
    order by customer_id, scored_at desc
)
select c.customer_id,
       coalesce(c.customer_name, c.email, 'customer #' || c.customer_id) as customer_name,
       seg.segment,
       t.probability as previous_probability,
       n.probability,
       t.scored_at as previous_scored_at,
       n.top_drivers::text as top_drivers,
       n.scored_at
from scope_customers sc
join core.customer c on c.customer_id = sc.customer_id and c.status = 'active'
join now_score n on n.customer_id = c.customer_id
join then_score t on t.customer_id = c.customer_id and t.scored_at < n.scored_at
left join seg on seg.customer_id = c.customer_id
where n.probability > t.probability
order by n.probability - t.probability desc, c.customer_id
limit @top;

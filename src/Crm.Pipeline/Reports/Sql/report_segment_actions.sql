-- Value at stake per segment as of @asof: churn probability × CLV (in the report currency) summed over the
-- scored active golden customers in scope, with the number of those customers; largest stake first.
, scope_customers as (
    select distinct customer_id from o where customer_id is not null
),
score as (
    select distinct on (customer_id) customer_id, probability
    from ml.churn_score
    where scored_at <= @asof
    order by customer_id, scored_at desc
),
value as (
    select distinct on (customer_id) customer_id, clv
    from ml.customer_value
    where computed_at <= @asof
    order by customer_id, computed_at desc
)
select coalesce(seg.segment, '(unsegmented)') as segment,
       count(*)::bigint as customers,
       coalesce(sum(s.probability * coalesce(v.clv * cf.factor, v.clv, 0)), 0)::double precision as value_at_stake
from scope_customers sc
join core.customer c on c.customer_id = sc.customer_id and c.status = 'active'
join score s on s.customer_id = sc.customer_id
left join value v on v.customer_id = sc.customer_id
left join cfx cf on cf.customer_id = sc.customer_id
left join seg on seg.customer_id = sc.customer_id
group by 1
order by value_at_stake desc, segment;

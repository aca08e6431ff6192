-- Value at stake per segment as of @asof: churn probability × CLV (in the report currency) summed over the
-- scored active golden customers in scope, with the number of those customers; largest stake first.
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

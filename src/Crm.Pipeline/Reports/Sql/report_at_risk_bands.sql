-- Value at risk (probability × CLV) per risk band, over every scored customer in scope, as of @asof.
select s.risk_band,
       count(*)::bigint as customers,
       coalesce(sum(s.probability * coalesce(v.clv * cf.factor, v.clv, 0)), 0)::double precision as value_at_risk
from scope_customers sc
join core.customer c on c.customer_id = sc.customer_id and c.status = 'active'
join score s on s.customer_id = sc.customer_id
left join value v on v.customer_id = sc.customer_id
left join cfx cf on cf.customer_id = sc.customer_id
group by s.risk_band
order by case s.risk_band when 'high' then 0 when 'medium' then 1 when 'low' then 2 else 3 end;

-- The currencies of the scope's orders in the period [@s, @e), most orders first.
select o.currency, count(*)::bigint as orders
from o
where o.order_ts >= @s and o.order_ts < @e
group by o.currency
order by orders desc, o.currency;

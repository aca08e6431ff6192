-- RFM segments as of @cutoff_date from that cutoff's features: recency, frequency and monetary
-- scores 1–5 by quintile (cume_dist, so ties share a score), mapped to the segment names managers
-- use (the common R×F grid). Re-running a date replaces its rows; earlier dates stay as history.
delete from ml.customer_segment where as_of = @cutoff_date and scheme = 'rfm';

with s as (
    select customer_id, recency_days, orders_all, monetary_all, tenure_days,
           ceil(5 * cume_dist() over (order by recency_days desc))::int as r,
           ceil(5 * cume_dist() over (order by orders_all))::int as f,
           ceil(5 * cume_dist() over (order by monetary_all))::int as m
    from ml.customer_features
    where cutoff = @cutoff_date
)
insert into ml.customer_segment (customer_id, as_of, scheme, segment, detail)
select customer_id, @cutoff_date, 'rfm',
       case
           when r >= 5 and f >= 4 then 'champions'
           when r >= 3 and f >= 4 then 'loyal'
           when r >= 4 and f between 2 and 3 then 'potential loyalist'
           when r = 5 and f = 1 then 'new'
           when r = 4 and f = 1 then 'promising'
           when r = 3 and f = 3 then 'need attention'
           when r = 3 and f <= 2 then 'about to sleep'
           when r <= 2 and f = 5 then 'can''t lose'
           when r <= 2 and f between 3 and 4 then 'at risk'
           else 'hibernating'
       end,
       jsonb_build_object('r', r, 'f', f, 'm', m, 'recency_days', round(recency_days::numeric, 1),
                          'orders', orders_all, 'monetary', round(monetary_all::numeric, 2))
from s;

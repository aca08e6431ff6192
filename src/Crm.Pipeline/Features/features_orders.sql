-- Order features of every golden customer as of @cutoff (a timestamptz at the start of the cutoff
-- day): only orders with order_ts < @cutoff are read, so later rows never change these values.
-- Limitation: a line's status (returned/cancelled) is its latest known status; the warehouse keeps
-- no date of the status change, so a return recorded after the cutoff is visible here.
-- The web, campaign, email and BG/NBD columns come from the temporary tables f_web, f_campaign, f_email and p_alive that
-- FeatureBuilder fills first (empty when a source is absent; @has_web / @has_email say whether its
-- tables exist: then a customer without activity gets 0 counts, otherwise null). One insert, no updates.
-- @sample: only the customers of that hash sample (FeatureSample.cs; 1048576 = everyone).
delete from ml.customer_features where cutoff = @cutoff_date;

with o as (
    select ci.customer_id, o.feed, o.order_id, o.order_ts, o.total_amount, o.status
    from core."order" o
    join core.customer_identity ci
      on ci.source = 'orders:' || o.feed and ci.source_customer_id = o.source_customer_id
    join core.customer c on c.customer_id = ci.customer_id and c.status = 'active'
    where o.order_ts < @cutoff
      and (@sample >= 1048576 or (hashint8(ci.customer_id) & 1048575) < @sample)
),
p as (
    select o.*, lag(o.order_ts) over (partition by o.customer_id order by o.order_ts, o.order_id) as prev_ts
    from o
    where o.status <> 'cancelled'
),
g as (
    select p.*, extract(epoch from p.order_ts - p.prev_ts) / 86400.0 as gap
    from p
),
agg as (
    select customer_id,
           extract(epoch from @cutoff - max(order_ts)) / 86400.0 as recency_days,
           extract(epoch from @cutoff - min(order_ts)) / 86400.0 as tenure_days,
           count(*) filter (where order_ts >= @cutoff - interval '30 days')  as orders_30,
           count(*) filter (where order_ts >= @cutoff - interval '90 days')  as orders_90,
           count(*) filter (where order_ts >= @cutoff - interval '365 days') as orders_365,
           count(*) as orders_all,
           coalesce(sum(total_amount) filter (where order_ts >= @cutoff - interval '30 days'), 0)  as monetary_30,
           coalesce(sum(total_amount) filter (where order_ts >= @cutoff - interval '90 days'), 0)  as monetary_90,
           coalesce(sum(total_amount) filter (where order_ts >= @cutoff - interval '365 days'), 0) as monetary_365,
           sum(total_amount) as monetary_all,
           count(*) filter (where order_ts >= @cutoff - interval '180 days' and order_ts < @cutoff - interval '90 days') as orders_prev_90,
           coalesce(sum(total_amount) filter (where order_ts >= @cutoff - interval '180 days'), 0) as monetary_180,
           coalesce(sum(total_amount) filter (where order_ts >= @cutoff - interval '360 days' and order_ts < @cutoff - interval '180 days'), 0) as monetary_180_360,
           avg(gap) as avg_gap,
           stddev_samp(gap) as sd_gap,
           -- The last order's gap: prev_ts grows along the orders, so its maximum is the last order's
           -- (one window sort instead of a second, descending one to find the last order).
           extract(epoch from max(order_ts) - max(prev_ts)) / 86400.0 as last_gap
    from g
    group by customer_id
),
lines as (
    select o.customer_id,
           count(*) filter (where l.status = 'returned')  as returned_lines,
           count(*) filter (where l.status = 'cancelled') as cancelled_lines,
           count(*) as line_count,
           count(distinct l.sku) as distinct_skus
    from o
    join core.order_line l on l.feed = o.feed and l.order_id = o.order_id
    group by o.customer_id
)
insert into ml.customer_features (
    cutoff, customer_id, recency_days, tenure_days, orders_30, orders_90, orders_365, orders_all,
    monetary_30, monetary_90, monetary_365, monetary_all, avg_order_value, orders_prev_90,
    avg_interpurchase_days, last_interpurchase_days, interpurchase_trend,
    returned_lines, cancelled_lines, return_rate, distinct_skus, lines_per_order,
    spend_trend, interpurchase_cv, recency_gap_ratio,
    web_sessions_30, web_sessions_90, web_pages_90, web_product_views_90, web_cart_abandon_90, web_days_since_visit, web_visit_trend,
    web_sessions_since_order, web_campaign_clicks_90, campaign_sends_365, campaign_click_rate_365,
    email_complaints_365, email_cancel_requests_365, email_unanswered_threads, email_avg_response_hours, email_days_since_contact,
    email_sentiment_365,
    bgnbd_p_alive, bgnbd_p_no_purchase)
select @cutoff_date, a.customer_id, a.recency_days, a.tenure_days, a.orders_30, a.orders_90, a.orders_365, a.orders_all,
       a.monetary_30, a.monetary_90, a.monetary_365, a.monetary_all, a.monetary_all / a.orders_all, a.orders_prev_90,
       a.avg_gap, a.last_gap, case when a.avg_gap > 0 then a.last_gap / a.avg_gap end,
       coalesce(l.returned_lines, 0), coalesce(l.cancelled_lines, 0),
       case when l.line_count > 0 then l.returned_lines::double precision / l.line_count else 0 end,
       coalesce(l.distinct_skus, 0),
       coalesce(l.line_count, 0)::double precision / a.orders_all,
       case when a.monetary_180 + a.monetary_180_360 > 0
            then (a.monetary_180 - a.monetary_180_360)::double precision / (a.monetary_180 + a.monetary_180_360) else 0 end,
       case when a.avg_gap > 0 then a.sd_gap / a.avg_gap end,
       case when a.avg_gap > 0 then a.recency_days / a.avg_gap end,
       case when @has_web then coalesce(w.sessions_30, 0) end, case when @has_web then coalesce(w.sessions_90, 0) end,
       case when @has_web then coalesce(w.pages_90, 0) end, case when @has_web then coalesce(w.product_views_90, 0) end,
       case when @has_web then coalesce(w.cart_abandon_90, 0) end, w.days_since, case when @has_web then coalesce(w.visit_trend, 0) end,
       case when @has_web then coalesce(w.sessions_since_order, 0) end, case when @has_web then coalesce(w.campaign_clicks_90, 0) end,
       case when @has_web then coalesce(cs.sends_365, 0) end,
       case when cs.sends_365 > 0 then least(1.0, coalesce(w.email_clicks_365, 0)::double precision / cs.sends_365) end,
       case when @has_email then coalesce(e.complaints, 0) end, case when @has_email then coalesce(e.cancels, 0) end,
       case when @has_email then coalesce(e.unanswered, 0) end, e.response_hours, e.days_since,
       case when @has_email then coalesce(e.sentiment, 0) end,
       pa.p, pa.q
from agg a
left join lines l on l.customer_id = a.customer_id
left join f_web w on w.customer_id = a.customer_id
left join f_email e on e.customer_id = a.customer_id
left join f_campaign cs on cs.customer_id = a.customer_id
left join p_alive pa on pa.customer_id = a.customer_id;

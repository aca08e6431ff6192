-- Web engagement as of @cutoff, excluding bots. Runs only when core.web_session exists (the weblogs
-- stage's tables). Expected shape: core.web_session (session_id, source, source_customer_id,
-- started_at, page_views, is_bot) and core.web_event (session_id, event_ts, event_type with
-- 'product_view', 'add_to_cart', 'purchase'). Visitors map to golden customers through
-- core.customer_identity (source 'web:<site>').
update ml.customer_features
   set web_sessions_30 = 0, web_sessions_90 = 0, web_pages_90 = 0, web_product_views_90 = 0,
       web_cart_abandon_90 = 0, web_visit_trend = 0
 where cutoff = @cutoff_date;

with s as (
    select ci.customer_id, ws.session_id, ws.started_at, ws.page_views
    from core.web_session ws
    join core.customer_identity ci on ci.source = ws.source and ci.source_customer_id = ws.source_customer_id
    where ws.started_at < @cutoff and not ws.is_bot
),
e as (
    select s.customer_id, s.session_id,
           count(*) filter (where ev.event_type = 'product_view') as product_views,
           bool_or(ev.event_type = 'add_to_cart') as carted,
           bool_or(ev.event_type = 'purchase') as purchased
    from s
    join core.web_event ev on ev.session_id = s.session_id and ev.event_ts < @cutoff
    where s.started_at >= @cutoff - interval '90 days'
    group by s.customer_id, s.session_id
),
w as (
    select s.customer_id,
           count(*) filter (where s.started_at >= @cutoff - interval '30 days') as sessions_30,
           count(*) filter (where s.started_at >= @cutoff - interval '90 days') as sessions_90,
           count(*) filter (where s.started_at >= @cutoff - interval '90 days' and s.started_at < @cutoff - interval '30 days') as sessions_31_90,
           coalesce(sum(s.page_views) filter (where s.started_at >= @cutoff - interval '90 days'), 0) as pages_90,
           extract(epoch from @cutoff - max(s.started_at)) / 86400.0 as days_since
    from s
    group by s.customer_id
),
ev as (
    select customer_id, sum(product_views) as product_views,
           count(*) filter (where carted and not purchased) as abandoned
    from e
    group by customer_id
)
update ml.customer_features f
   set web_sessions_30 = w.sessions_30,
       web_sessions_90 = w.sessions_90,
       web_pages_90 = w.pages_90,
       web_product_views_90 = coalesce(ev.product_views, 0),
       web_cart_abandon_90 = coalesce(ev.abandoned, 0),
       web_days_since_visit = w.days_since,
       web_visit_trend = w.sessions_30 / greatest(w.sessions_31_90 / 2.0, 1)
  from w
  left join ev on ev.customer_id = w.customer_id
 where f.cutoff = @cutoff_date and f.customer_id = w.customer_id;

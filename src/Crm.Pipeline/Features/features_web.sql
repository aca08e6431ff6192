-- Web engagement as of @cutoff, bots excluded. Runs only when core.web_session, core.web_event and
-- core.web_visitor_link exist (the weblogs stage, issue 5). A visitor counts for a golden customer
-- through a link known before the cutoff (login or email tracking token → core.source_customer key →
-- core.customer_identity). Sessions and hits are taken strictly before the cutoff. Product views are
-- page hits under /product(s)/ or /p/; a session is an abandoned cart when it hit a cart or basket
-- page and did not convert (Sources/WebLogs/WebEngagement.cs). A session that ended before the
-- cutoff carries those counts (core.web_session.product_views, carted); only sessions running past
-- the cutoff, whose later hits must not count, and sessions stored before the counts were kept are
-- counted from their hits. Sessions since the last order count those that started after it; campaign
-- clicks are sessions that arrived with a utm_campaign (email clicks: utm_medium = email). Written to
-- temporary tables that features_orders.sql joins, so the feature rows are inserted once instead of
-- inserted and then updated per source. @sample: only the customers of that hash sample
-- (FeatureSample.cs; 1048576 = everyone).
create temp table f_web on commit drop as
with v as (
    select distinct ci.customer_id, l.visitor_key
    from core.web_visitor_link l
    join core.customer_identity ci on ci.source = l.source and ci.source_customer_id = l.source_customer_id
    where l.first_seen < @cutoff
      and (@sample >= 1048576 or (hashint8(ci.customer_id) & 1048575) < @sample)
),
s as (
    select v.customer_id, ws.site, ws.visitor_key, ws.session_start, least(ws.session_end, @cutoff) as session_end,
           ws.pages, ws.converted and ws.session_end < @cutoff as converted, ws.utm_campaign, ws.utm_medium,
           case when ws.session_end < @cutoff then ws.product_views end as product_views,
           case when ws.session_end < @cutoff then ws.carted end as carted
    from v
    join core.web_session ws on ws.visitor_key = v.visitor_key
    where ws.session_start < @cutoff and not ws.is_bot
),
counted as (
    -- The recent sessions whose counts are not stored (or not usable at this cutoff), from their hits.
    select s.customer_id, s.session_start, s.visitor_key,
           count(*) filter (where e.is_page and e.path ~* '/(products?|p)/') as product_views,
           coalesce(bool_or(e.path ~* '/(cart|basket)'), false) as carted
    from s
    join core.web_event e
      on e.site = s.site and e.visitor_key = s.visitor_key
     and e.event_ts >= s.session_start and e.event_ts <= s.session_end and e.event_ts < @cutoff
    -- The lower bound follows from the session's, but said here it lets the planner skip older partitions.
    where s.session_start >= @cutoff - interval '90 days' and s.product_views is null and not e.is_bot
      and e.event_ts >= @cutoff - interval '90 days'
    group by s.customer_id, s.session_start, s.visitor_key
),
hits as (
    select customer_id, session_start, visitor_key, product_views, carted
    from s
    where session_start >= @cutoff - interval '90 days' and product_views is not null
    union all
    select customer_id, session_start, visitor_key, product_views, carted from counted
),
last_order as (
    -- Each linked customer's last order before the cutoff, for the visits since it.
    select ci.customer_id, max(o.order_ts) as at
    from core."order" o
    join core.customer_identity ci
      on ci.source = 'orders:' || o.feed and ci.source_customer_id = o.source_customer_id
    where o.order_ts < @cutoff and o.status <> 'cancelled'
      and ci.customer_id in (select customer_id from v)
    group by ci.customer_id
),
w as (
    select s.customer_id,
           count(*) filter (where s.session_start >= @cutoff - interval '30 days') as sessions_30,
           count(*) filter (where s.session_start >= @cutoff - interval '90 days') as sessions_90,
           count(*) filter (where s.session_start >= @cutoff - interval '90 days' and s.session_start < @cutoff - interval '30 days') as sessions_31_90,
           coalesce(sum(s.pages) filter (where s.session_start >= @cutoff - interval '90 days'), 0) as pages_90,
           coalesce(sum(h.product_views), 0) as product_views_90,
           count(*) filter (where h.carted and not s.converted) as abandoned,
           extract(epoch from @cutoff - max(s.session_start)) / 86400.0 as days_since,
           count(*) filter (where s.session_start > lo.at) as sessions_since_order,
           count(*) filter (where s.session_start >= @cutoff - interval '90 days' and s.utm_campaign is not null) as campaign_clicks_90,
           count(*) filter (where s.session_start >= @cutoff - interval '365 days' and s.utm_campaign is not null and lower(s.utm_medium) = 'email') as email_clicks_365
    from s
    left join hits h on h.customer_id = s.customer_id and h.visitor_key = s.visitor_key and h.session_start = s.session_start
    left join last_order lo on lo.customer_id = s.customer_id
    group by s.customer_id
)
select w.customer_id, w.sessions_30, w.sessions_90, w.pages_90, w.product_views_90,
       w.abandoned as cart_abandon_90, w.days_since, w.sessions_30 / greatest(w.sessions_31_90 / 2.0, 1) as visit_trend,
       w.sessions_since_order, w.campaign_clicks_90, w.email_clicks_365
  from w;

-- Campaign mails sent to each customer's addresses (core.campaign_send, from the send logs the weblogs
-- stage loads) in the 365 days before the cutoff: the denominator of the campaign click rate.
create temp table f_campaign on commit drop as
select ci.customer_id, count(*) as sends_365
from core.campaign_send cs
join core.customer_identity ci on ci.source = 'email' and ci.source_customer_id = cs.email
where cs.sent_at < @cutoff and cs.sent_at >= @cutoff - interval '365 days'
  and (@sample >= 1048576 or (hashint8(ci.customer_id) & 1048575) < @sample)
group by ci.customer_id;

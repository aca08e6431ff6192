-- The last stored session of each visitor a segment touched (@visitors): the one its new hits may
-- extend, or, when it ends at or after a new hit, the sign that hits arrived out of order.
select v.visitor_key, s.session_start, s.session_end, s.events, s.pages, s.assets, s.landing_page, s.exit_page, s.referrer,
       s.utm_source, s.utm_medium, s.utm_campaign, s.user_id, s.converted, s.bot_reason, s.product_views, s.carted
  from unnest(@visitors::text[]) as v(visitor_key)
  cross join lateral (
    select * from core.web_session s
     where s.site = @site and s.visitor_key = v.visitor_key
     order by s.session_start desc
     limit 1) s;

-- Rebuilds the sessions of the visitors a segment touched (@visitors, each with the earliest
-- hit the segment brought, @first_hits). A new hit can only change the session it falls into
-- or extends, and those after it; so per visitor we rebuild from the start of the earliest
-- session ending within @gap of the new hit (or from the new hit itself), which makes the
-- result independent of how the hits were split into segments and runs.
-- Several segments can share a transaction (WebLogIngester.Batch): the last one's window goes first.
drop table if exists web_session_window;
create temp table web_session_window on commit drop as
select a.visitor_key,
       least(a.first_hit, coalesce((
           select min(s.session_start) from core.web_session s
            where s.site = @site and s.visitor_key = a.visitor_key and s.session_end >= a.first_hit - @gap), a.first_hit)) as from_ts
  from (select visitor_key, min(first_hit) as first_hit
          from unnest(@visitors::text[], @first_hits::timestamptz[]) as v(visitor_key, first_hit)
         group by visitor_key) a;
-- Fresh temp tables have no statistics; without them the planner guesses badly for the join below.
analyze web_session_window;

delete from core.web_session s
 using web_session_window w
 where s.site = @site and s.visitor_key = w.visitor_key and s.session_start >= w.from_ts;

insert into core.web_session (site, visitor_key, session_start, session_end, session_key, events, pages, assets,
    landing_page, exit_page, referrer, utm_source, utm_medium, utm_campaign, user_id, converted, is_bot, bot_reason,
    product_views, carted)
select @site, visitor_key, session_start, session_end,
       md5(@site || '|' || visitor_key || '|' || to_char(session_start at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')),
       events, pages, assets, landing_page, exit_page, referrer, utm_source, utm_medium, utm_campaign, user_id, converted,
       (reasons <> ''), nullif(reasons, ''), product_views, carted
  from (
    select visitor_key, session_start, session_end, events, pages, assets, landing_page, exit_page, referrer,
           utm_source, utm_medium, utm_campaign, user_id, converted, product_views, carted,
           concat_ws(', ',
               case when known_bot then 'known crawler' end,
               case when robots then 'robots.txt' end,
               case when pages >= @bot_min_pages and assets = 0 then 'no assets' end,
               case when events >= 20
                     and events / greatest(extract(epoch from session_end - session_start) / 60.0, 1.0) > @bot_max_rate
                    then 'request rate' end) as reasons
      from (
        select visitor_key,
               min(event_ts) as session_start,
               max(event_ts) as session_end,
               count(*)::int as events,
               count(*) filter (where is_page)::int as pages,
               count(*) filter (where is_asset)::int as assets,
               (array_agg(path order by event_ts, byte_offset, path) filter (where is_page))[1] as landing_page,
               (array_agg(path order by event_ts desc, byte_offset desc, path desc) filter (where is_page))[1] as exit_page,
               (array_agg(referrer order by event_ts, byte_offset, path))[1] as referrer,
               (array_agg(utm_source order by event_ts, byte_offset, path) filter (where utm_source is not null))[1] as utm_source,
               (array_agg(utm_medium order by event_ts, byte_offset, path) filter (where utm_medium is not null))[1] as utm_medium,
               (array_agg(utm_campaign order by event_ts, byte_offset, path) filter (where utm_campaign is not null))[1] as utm_campaign,
               (array_agg(user_id order by event_ts, byte_offset, path) filter (where user_id is not null))[1] as user_id,
               bool_or(is_conversion) as converted,
               bool_or(is_bot) as known_bot,
               bool_or(path = '/robots.txt') as robots,
               -- As WebEngagement.cs decides them.
               count(*) filter (where is_page and path ~* '/(products?|p)/')::int as product_views,
               coalesce(bool_or(path ~* '/(cart|basket)'), false) as carted
          from (
            select e.*, sum(case when prev_ts is null or e.event_ts - prev_ts > @gap then 1 else 0 end)
                        over (partition by e.visitor_key order by e.event_ts, e.byte_offset, e.path rows unbounded preceding) as session_no
              from (
                select e.visitor_key, e.event_ts, e.byte_offset, e.path, e.referrer, e.is_page, e.is_asset, e.is_conversion,
                       e.is_bot, e.utm_source, e.utm_medium, e.utm_campaign, e.user_id,
                       lag(e.event_ts) over (partition by e.visitor_key order by e.event_ts, e.byte_offset, e.path) as prev_ts
                  from core.web_event e
                  join web_session_window w on w.visitor_key = e.visitor_key
                 where e.site = @site and e.event_ts >= w.from_ts
              ) e
          ) numbered
         group by visitor_key, session_no
      ) sessions
  ) scored;

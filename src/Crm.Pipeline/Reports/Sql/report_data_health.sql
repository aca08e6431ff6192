-- Data health per source: what the ingest ledger holds (every load so far), and, by the records' own
-- times, how many fall in the period [@s, @e) and the newest one before @e (freshness at the period's
-- end, so a report of a past period shows how its data stood then, not when it was loaded).
with ledger as (
    select source,
           count(*)::bigint                            as units,
           coalesce(sum(read_count), 0)::bigint        as rows_read,
           coalesce(sum(loaded_count), 0)::bigint      as rows_loaded,
           coalesce(sum(quarantined_count), 0)::bigint as quarantined,
           coalesce(sum(duplicate_count), 0)::bigint   as duplicates
    from ops.ingest_ledger
    group by source
),
content(source, in_period, latest) as (
    -- Each figure bounded on both sides, so partitions and indexes on the time column keep it cheap.
    select 'orders', (select count(*) from core."order" where order_ts >= @s and order_ts < @e),
                     (select max(order_ts) from core."order" where order_ts < @e)
    union all
    select 'weblogs', (select count(*) from core.web_event where event_ts >= @s and event_ts < @e),
                      (select max(event_ts) from core.web_event where event_ts < @e and event_ts >= @s - interval '400 days')
    union all
    select 'email', (select count(*) from core.email where sent_at >= @s and sent_at < @e),
                    (select max(sent_at) from core.email where sent_at < @e)
    union all
    select 'campaign_sends', (select count(*) from core.campaign_send where sent_at >= @s and sent_at < @e),
                             (select max(sent_at) from core.campaign_send where sent_at < @e)
)
select l.source, l.units, l.rows_read, l.rows_loaded, l.quarantined, l.duplicates,
       coalesce(c.in_period, 0)::bigint as in_period,
       c.latest
from ledger l
left join content c on c.source = l.source
order by l.source;

-- Email signals as of @cutoff. Runs only when core.email exists (the email stage, issue 6). A message
-- belongs to a golden customer through its external party: core.customer_identity source 'email',
-- source_customer_id = the lower-cased address. Only messages sent before the cutoff are read (the
-- thread table's aggregates would include later messages, so threads are rebuilt from the messages).
-- A thread is unanswered when its last message before the cutoff is inbound; response time is from an
-- inbound message to the next outbound one in the same thread. Written to a temporary table that
-- features_orders.sql joins. @sample: only the customers of that hash sample (FeatureSample.cs;
-- 1048576 = everyone).
create temp table f_email on commit drop as
with m as (
    select ci.customer_id, e.thread_key, e.direction, e.sent_at, e.intents
    from core.email e
    join core.customer_identity ci on ci.source = 'email' and ci.source_customer_id = lower(e.customer_address)
    where e.sent_at < @cutoff
      and (@sample >= 1048576 or (hashint8(ci.customer_id) & 1048575) < @sample)
),
ordered as (
    select m.*,
           lead(m.direction) over (partition by m.thread_key order by m.sent_at) as next_direction,
           lead(m.sent_at) over (partition by m.thread_key order by m.sent_at) as next_at,
           row_number() over (partition by m.thread_key order by m.sent_at desc) as rn_desc
    from m
),
agg as (
    select customer_id,
           count(*) filter (where direction = 'inbound' and 'complaint' = any (intents) and sent_at >= @cutoff - interval '365 days') as complaints,
           count(*) filter (where direction = 'inbound' and intents && array['cancellation', 'refund'] and sent_at >= @cutoff - interval '365 days') as cancels,
           count(*) filter (where rn_desc = 1 and direction = 'inbound') as unanswered,
           avg(extract(epoch from next_at - sent_at) / 3600.0) filter (where direction = 'inbound' and next_direction = 'outbound') as response_hours,
           extract(epoch from @cutoff - max(sent_at)) / 86400.0 as days_since
    from ordered
    group by customer_id
)
select * from agg;

-- Email signals as of @cutoff. Runs only when core.email exists (the email stage, issue 6). A message
-- belongs to a golden customer through its external party: core.customer_identity source 'email',
-- source_customer_id = the lower-cased address. Only messages sent before the cutoff are read (the
-- thread table's aggregates would include later messages, so threads are rebuilt from the messages).
-- A thread is unanswered when its last message before the cutoff is inbound; response time is from an
-- inbound message to the next outbound one in the same thread; sentiment is described at its lexicon.
-- Written to a temporary table that features_orders.sql joins. @sample: only the customers of that
-- hash sample (FeatureSample.cs; 1048576 = everyone).
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
),
-- Sentiment of the customer's own words: a small lexicon of clearly positive (+1) and negative (−1)
-- words in the languages the intent rules know, matched as whole lower-cased words of the subject
-- and new text (quotes are already split off). A message scores (sum of polarities) / (words matched),
-- 0 when none matched; the feature is the mean over the inbound messages of the last 365 days.
lexicon (word, polarity) as (
    values ('thanks', 1), ('thank', 1), ('great', 1), ('excellent', 1), ('perfect', 1), ('love', 1), ('happy', 1),
           ('pleased', 1), ('quick', 1), ('fast', 1), ('wonderful', 1), ('recommend', 1), ('satisfied', 1),
           ('disappointed', -1), ('damaged', -1), ('broken', -1), ('wrong', -1), ('poor', -1), ('unacceptable', -1),
           ('terrible', -1), ('awful', -1), ('worst', -1), ('angry', -1), ('complaint', -1), ('refund', -1),
           ('problem', -1), ('waiting', -1), ('cancel', -1), ('late', -1), ('unhappy', -1),
           ('danke', 1), ('vielen', 1), ('toll', 1), ('super', 1), ('zufrieden', 1), ('perfekt', 1), ('schnelle', 1),
           ('enttäuscht', -1), ('beschädigt', -1), ('falsch', -1), ('falscher', -1), ('beschwerde', -1), ('frechheit', -1),
           ('unzufrieden', -1), ('reklamation', -1), ('rückerstattung', -1), ('kündigen', -1), ('kündige', -1), ('problem', -1),
           ('merci', 1), ('parfait', 1), ('rapide', 1), ('satisfait', 1), ('génial', 1),
           ('déçu', -1), ('déçue', -1), ('endommagé', -1), ('inadmissible', -1), ('réclamation', -1), ('remboursement', -1),
           ('résilier', -1), ('problème', -1), ('mauvais', -1),
           ('gracias', 1), ('perfecto', 1), ('excelente', 1), ('rápida', 1), ('rápido', 1), ('contento', 1), ('genial', 1),
           ('decepcionado', -1), ('dañado', -1), ('inaceptable', -1), ('queja', -1), ('reclamación', -1), ('reembolso', -1),
           ('cancelar', -1), ('problema', -1), ('malo', -1)
),
own as (
    select ci.customer_id, e.email_id, lower(coalesce(e.subject, '') || ' ' || coalesce(e.body_text, '')) as text
    from core.email e
    join core.customer_identity ci on ci.source = 'email' and ci.source_customer_id = lower(e.customer_address)
    where e.direction = 'inbound' and e.sent_at < @cutoff and e.sent_at >= @cutoff - interval '365 days'
      and (@sample >= 1048576 or (hashint8(ci.customer_id) & 1048575) < @sample)
),
scored as (
    select own.customer_id, own.email_id,
           coalesce((select avg(l.polarity)::double precision
                     from regexp_split_to_table(own.text, '[\s[:punct:][:digit:]¡¿«»“”„‘’…–—]+') as w (word)
                     join (select distinct word, polarity from lexicon) l on l.word = w.word), 0) as score
    from own
),
sentiment as (
    select customer_id, avg(score) as sentiment from scored group by customer_id
)
select agg.*, sentiment.sentiment
from agg
left join sentiment on sentiment.customer_id = agg.customer_id;

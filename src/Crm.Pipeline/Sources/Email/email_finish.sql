-- Attachment contents (only staged when configured), for the messages this unit inserted.
insert into core.email_attachment (email_id, ordinal, file_name, content_type, size_bytes, content)
select i.email_id, a.ordinal, a.file_name, a.content_type, a.size_bytes, a.content
  from email_stage_attachment a join email_inserted i on i.dedupe_key = a.dedupe_key
on conflict do nothing;

-- Threads touched by this unit, recomputed from all their messages (idempotent).
delete from core.email_thread t
 using email_touched x
 where t.thread_key = x.thread_key
   and not exists (select 1 from core.email e where e.thread_key = t.thread_key);

with agg as (
    select e.thread_key,
           (array_agg(e.subject order by e.sent_at, e.email_id))[1] as subject,
           (array_agg(e.customer_address order by e.sent_at, e.email_id) filter (where e.customer_address is not null))[1] as customer_address,
           min(e.sent_at) as first_message_at,
           max(e.sent_at) as last_message_at,
           count(*) as message_count,
           count(*) filter (where e.direction = 'inbound') as inbound_count,
           count(*) filter (where e.direction = 'outbound') as outbound_count,
           min(e.sent_at) filter (where e.direction = 'inbound') as first_inbound_at
      from core.email e
     where e.thread_key in (select thread_key from email_touched)
     group by e.thread_key
)
insert into core.email_thread as t (thread_key, subject, customer_address, first_message_at, last_message_at, message_count,
    inbound_count, outbound_count, first_inbound_at, first_response_at, first_response_seconds, intents, updated_at)
select a.thread_key, a.subject, a.customer_address, a.first_message_at, a.last_message_at, a.message_count,
       a.inbound_count, a.outbound_count, a.first_inbound_at, r.first_response_at,
       extract(epoch from r.first_response_at - a.first_inbound_at)::bigint,
       array(select distinct i from core.email e, unnest(e.intents) i
              where e.thread_key = a.thread_key and e.direction = 'inbound' order by i),
       now()
  from agg a
  left join lateral (
      select min(e.sent_at) as first_response_at
        from core.email e
       where e.thread_key = a.thread_key and e.direction = 'outbound' and e.sent_at > a.first_inbound_at
  ) r on true
on conflict (thread_key) do update set
    subject = excluded.subject, customer_address = excluded.customer_address,
    first_message_at = excluded.first_message_at, last_message_at = excluded.last_message_at,
    message_count = excluded.message_count, inbound_count = excluded.inbound_count,
    outbound_count = excluded.outbound_count, first_inbound_at = excluded.first_inbound_at,
    first_response_at = excluded.first_response_at, first_response_seconds = excluded.first_response_seconds,
    intents = excluded.intents, updated_at = now();

-- Every external address becomes (or refreshes) an email identity for the identity stage.
insert into core.source_customer as c (source, source_customer_id, email, customer_name, first_seen, last_seen)
select 'email', x.address, x.address,
       (array_agg(x.name order by x.sent_at desc) filter (where x.name <> ''))[1],
       min(x.sent_at), max(x.sent_at)
  from (select u.address, u.name, s.sent_at
          from email_stage s
         cross join lateral unnest(s.external_addresses, s.external_names) as u(address, name)) x
 group by x.address
on conflict (source, source_customer_id) do update set
    customer_name = coalesce(excluded.customer_name, c.customer_name),
    first_seen = least(c.first_seen, excluded.first_seen),
    last_seen = greatest(c.last_seen, excluded.last_seen),
    updated_at = now();

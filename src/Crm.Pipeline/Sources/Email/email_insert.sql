-- New messages into core.email; a dedupe_key already there (or twice in this batch: the first by
-- row_no wins) is a duplicate. Returns the count of new messages per ledger unit.
-- A message joins the thread of its root or parent when either is known, else starts its root's.
with inserted as (
    insert into core.email (dedupe_key, message_id, content_hash, thread_key, parent_id, in_reply_to, "references",
        sent_at, date_missing, from_address, from_name, to_addresses, to_names, cc_addresses, cc_names,
        reply_to_addresses, subject, body_text, quoted_text, body_truncated, mime_defect, direction, customer_address, intents,
        attachments, attachment_count, size_bytes, source_kind, source_location, ledger_id)
    select s.dedupe_key, s.message_id, s.content_hash,
           coalesce((select e.thread_key from core.email e where e.message_id = s.thread_root order by e.email_id limit 1),
                    (select e.thread_key from core.email e where e.message_id = s.parent_id order by e.email_id limit 1),
                    s.thread_root),
           s.parent_id, s.in_reply_to, s."references", s.sent_at, s.date_missing, s.from_address, s.from_name,
           s.to_addresses, s.to_names, s.cc_addresses, s.cc_names, s.reply_to_addresses, s.subject, s.body_text,
           s.quoted_text, s.body_truncated, s.mime_defect, s.direction, s.customer_address, s.intents, s.attachments,
           s.attachment_count, s.size_bytes, s.source_kind, s.source_location, s.ledger_id
      from email_stage s
     order by s.row_no
    on conflict (dedupe_key) do nothing
    returning email_id, dedupe_key, thread_key, ledger_id
), kept as (
    insert into email_inserted select email_id, dedupe_key, thread_key, ledger_id from inserted returning thread_key, ledger_id
), touched as (
    insert into email_touched select distinct thread_key from kept on conflict do nothing
)
select ledger_id, count(*) from kept group by ledger_id;

-- Erases what forget_collect.sql found, counting the rows of each table. Runs in the caller's
-- transaction, after the collection; the counts go to the audit row.

-- Suppression first: the hashes survive the erasure and keep re-ingests from bringing the person back.
create temp table forget_hash on commit drop as
select distinct ops.suppression_hash(kind, value) as hash, kind
  from (select 'email' as kind, value from forget_value where kind = 'email'
        union all select 'phone', value from forget_value where kind = 'phone'
        union all select 'customer', source || '/' || id from forget_identity where source <> 'web') v;
insert into ops.suppression (hash, kind) select hash, kind from forget_hash on conflict (hash) do nothing;

-- Staging (the landed order rows, by record, address or phone).
with d as (
    delete from staging.order_line o
     where exists (select 1 from forget_identity f where f.source = 'orders:' || o.feed and f.id = coalesce(o.source_customer_id, 'email:' || lower(o.email)))
        or ops.suppression_email(o.email) in (select value from forget_value where kind = 'email')
        or ops.suppression_phone(o.phone) in (select value from forget_value where kind = 'phone')
    returning 1)
insert into forget_count select 'staging.order_line', count(*) from d;

-- Orders and their lines.
create temp table forget_order on commit drop as
select o.feed, o.order_id from core."order" o
  join forget_identity f on f.source = 'orders:' || o.feed and f.id = o.source_customer_id;
with d as (delete from core.order_line l using forget_order f where (l.feed, l.order_id) = (f.feed, f.order_id) returning 1)
insert into forget_count select 'core.order_line', count(*) from d;
with d as (delete from core."order" o using forget_order f where (o.feed, o.order_id) = (f.feed, f.order_id) returning 1)
insert into forget_count select 'core.order', count(*) from d;

-- Web: every hit and session of their visitors, and every link to their records.
with d as (delete from core.web_event e where e.visitor_key in (select visitor_key from forget_visitor) returning 1)
insert into forget_count select 'core.web_event', count(*) from d;
with d as (delete from core.web_session s where s.visitor_key in (select visitor_key from forget_visitor) returning 1)
insert into forget_count select 'core.web_session', count(*) from d;
with d as (
    delete from core.web_visitor_link l
     where l.visitor_key in (select visitor_key from forget_visitor)
        or exists (select 1 from forget_identity f where (f.source, f.id) = (l.source, l.source_customer_id))
    returning 1)
insert into forget_count select 'core.web_visitor_link', count(*) from d;

-- Email: every message they sent or received (attachments cascade), then their threads.
create temp table forget_email_address on commit drop as select value as address from forget_value where kind = 'email';

-- Campaign sends to their addresses (the tracking tokens that resolved to them).
with d as (delete from core.campaign_send c where c.email in (select address from forget_email_address) returning 1)
insert into forget_count select 'core.campaign_send', count(*) from d;
create temp table forget_thread on commit drop as
select distinct e.thread_key from core.email e
 where e.customer_address in (select address from forget_email_address)
    or lower(e.from_address) in (select address from forget_email_address)
    or e.to_addresses && array(select address from forget_email_address)
    or e.cc_addresses && array(select address from forget_email_address)
    or e.reply_to_addresses && array(select address from forget_email_address);
with d as (
    delete from core.email e
     where e.customer_address in (select address from forget_email_address)
        or lower(e.from_address) in (select address from forget_email_address)
        or e.to_addresses && array(select address from forget_email_address)
        or e.cc_addresses && array(select address from forget_email_address)
        or e.reply_to_addresses && array(select address from forget_email_address)
    returning 1)
insert into forget_count select 'core.email', count(*) from d;
with d as (
    delete from core.email_thread t
     where t.customer_address in (select address from forget_email_address)
        or (t.thread_key in (select thread_key from forget_thread)
            and not exists (select 1 from core.email e where e.thread_key = t.thread_key))
    returning 1)
insert into forget_count select 'core.email_thread', count(*) from d;

-- Identity resolution's records of them.
with d as (delete from identity.clean_record c using forget_identity f where (c.source, c.source_customer_id) = (f.source, f.id) returning 1)
insert into forget_count select 'identity.clean_record', count(*) from d;
with d as (
    delete from identity.merge_evidence m
     where m.customer_id in (select customer_id from forget_customer)
        or exists (select 1 from forget_identity f where (f.source, f.id) = (m.left_source, m.left_id) or (f.source, f.id) = (m.right_source, m.right_id))
    returning 1)
insert into forget_count select 'identity.merge_evidence', count(*) from d;
with d as (
    delete from identity.customer_history h
     where h.customer_id in (select customer_id from forget_customer) or h.related_customer_id in (select customer_id from forget_customer)
    returning 1)
insert into forget_count select 'identity.customer_history', count(*) from d;
with d as (
    delete from identity.manual_decision m
     where exists (select 1 from forget_identity f where (f.source, f.id) = (m.left_source, m.left_id) or (f.source, f.id) = (m.right_source, m.right_id))
    returning 1)
insert into forget_count select 'identity.manual_decision', count(*) from d;

-- Model inputs and outputs.
with d as (delete from ml.customer_features x where x.customer_id in (select customer_id from forget_customer) returning 1)
insert into forget_count select 'ml.customer_features', count(*) from d;
with d as (delete from ml.churn_score x where x.customer_id in (select customer_id from forget_customer) returning 1)
insert into forget_count select 'ml.churn_score', count(*) from d;
with d as (delete from ml.customer_value x where x.customer_id in (select customer_id from forget_customer) returning 1)
insert into forget_count select 'ml.customer_value', count(*) from d;
with d as (delete from ml.customer_segment x where x.customer_id in (select customer_id from forget_customer) returning 1)
insert into forget_count select 'ml.customer_segment', count(*) from d;

-- Source records, identities and the golden records themselves.
with d as (delete from core.source_customer s using forget_identity f where (s.source, s.source_customer_id) = (f.source, f.id) returning 1)
insert into forget_count select 'core.source_customer', count(*) from d;
with d as (delete from core.customer_identity i where i.customer_id in (select customer_id from forget_customer)
              or exists (select 1 from forget_identity f where (f.source, f.id) = (i.source, i.source_customer_id)) returning 1)
insert into forget_count select 'core.customer_identity', count(*) from d;
update core.customer set merged_into = null where merged_into in (select customer_id from forget_customer);
with d as (delete from core.customer c where c.customer_id in (select customer_id from forget_customer) returning 1)
insert into forget_count select 'core.customer', count(*) from d;

-- Quarantine rows that carry any of their identifiers (distinctive ones only: a 3-digit id would hit strangers).
create temp table forget_pattern on commit drop as
select distinct '%' || replace(replace(replace(value, '\', '\\'), '%', '\%'), '_', '\_') || '%' as pattern
  from (select value from forget_value where kind in ('email', 'phone_raw', 'name')
        union all select id from forget_identity where source <> 'web' and length(id) >= 6) v;
with d as (delete from quarantine.record q where q.raw_text ilike any (array(select pattern from forget_pattern)) returning 1)
insert into forget_count select 'quarantine.record', count(*) from d;

-- The report archive: redact their names and addresses in what was sent, and drop the raw
-- message (its encoded parts cannot be redacted reliably). The caller redacts the outbox files.
create temp table forget_regex on commit drop as
select string_agg(regexp_replace(value, '([.^$|()\[\]{}*+?\\])', '\\\1', 'g'), '|' order by length(value) desc) as regex
  from (select value from forget_value where kind in ('email', 'phone_raw', 'name')
        union select id from forget_identity where source <> 'web' and length(id) >= 6) v;
create temp table forget_redacted on commit drop as
with d as (
    update ops.report_delivery r
       set html = regexp_replace(r.html, x.regex, '[erased]', 'gi'),
           subject = regexp_replace(r.subject, x.regex, '[erased]', 'gi'),
           eml = null,
           updated_at = now()
      from forget_regex x
     where x.regex is not null
       and (r.html ~* x.regex or r.subject ~* x.regex)
    returning r.delivery_id, r.html_path, r.eml_path, r.html)
select * from d;
insert into forget_count select 'ops.report_delivery', count(*) from forget_redacted;

select tbl, n from forget_count;

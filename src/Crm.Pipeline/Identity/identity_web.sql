-- Web visitors join the golden customer of the source record they were linked to (a login, an
-- e-mail tracking token). A visitor linked to several customers goes with the most recent link.
insert into core.customer_identity as i (source, source_customer_id, customer_id)
select distinct on (l.visitor_key) 'web', l.visitor_key, ci.customer_id
  from core.web_visitor_link l
  join core.customer_identity ci on ci.source = l.source and ci.source_customer_id = l.source_customer_id
 order by l.visitor_key, l.last_seen desc, ci.customer_id
on conflict (source, source_customer_id) do update set customer_id = excluded.customer_id, linked_at = now()
where i.customer_id <> excluded.customer_id;

-- Links the visitors of a segment to customer identities: a login (source = the configured login
-- source, id = the user id) or an email tracking token (source 'email', id = lower-cased address).
-- Idempotent: reloading a segment only widens first_seen/last_seen to what they already are.
insert into core.web_visitor_link as l (visitor_key, source, source_customer_id, evidence, first_seen, last_seen)
select visitor_key, source, source_customer_id, min(evidence), min(first_seen), max(last_seen)
  from unnest(@visitors::text[], @sources::text[], @ids::text[], @evidence::text[], @first::timestamptz[], @last::timestamptz[])
       as v(visitor_key, source, source_customer_id, evidence, first_seen, last_seen)
 group by visitor_key, source, source_customer_id
on conflict (visitor_key, source, source_customer_id) do update
   set first_seen = least(l.first_seen, excluded.first_seen),
       last_seen = greatest(l.last_seen, excluded.last_seen);

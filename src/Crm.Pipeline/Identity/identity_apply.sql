-- Applies one identity run from the temp tables, set-based, inside the run's transaction.
-- Rows are only touched when a value changes, so a rerun on unchanged input writes nothing.

insert into identity.clean_record as t
select * from id_clean
on conflict (source, source_customer_id) do update set
    given = excluded.given, family = excluded.family, email = excluded.email, verified_email = excluded.verified_email,
    phone = excluded.phone, date_of_birth = excluded.date_of_birth, street_number = excluded.street_number,
    street = excluded.street, locality = excluded.locality, postcode = excluded.postcode, region = excluded.region,
    country = excluded.country, source_updated_at = excluded.source_updated_at, cleaned_at = now()
where (t.given, t.family, t.email, t.verified_email, t.phone, t.date_of_birth, t.street_number, t.street, t.locality,
       t.postcode, t.region, t.country, t.source_updated_at)
      is distinct from
      (excluded.given, excluded.family, excluded.email, excluded.verified_email, excluded.phone, excluded.date_of_birth,
       excluded.street_number, excluded.street, excluded.locality, excluded.postcode, excluded.region, excluded.country,
       excluded.source_updated_at);

-- Quarantine rows of re-cleaned records: drop those no longer produced, add only new ones.
delete from quarantine.record q
 using id_cleaned_key k
 where q.source = 'identity' and q.unit_path = k.source || '/' || k.source_customer_id
   and not exists (select 1 from id_quarantine n
                    where n.unit_path = q.unit_path and n.reason = q.reason and n.raw_text is not distinct from q.raw_text);

insert into quarantine.record (source, unit_path, reason, raw_text, raw_length)
select 'identity', n.unit_path, n.reason, n.raw_text, length(n.raw_text)
  from id_quarantine n
 where not exists (select 1 from quarantine.record q
                    where q.source = 'identity' and q.unit_path = n.unit_path and q.reason = n.reason
                      and q.raw_text is not distinct from n.raw_text);

insert into core.customer as c (customer_id, status, merged_into, email, customer_name, phone, address, postcode, country,
                                date_of_birth, first_seen, last_seen, source_count)
select customer_id, 'active', null, email, customer_name, phone, address, postcode, country,
       date_of_birth, first_seen, last_seen, source_count
  from id_golden
on conflict (customer_id) do update set
    status = 'active', merged_into = null, email = excluded.email, customer_name = excluded.customer_name,
    phone = excluded.phone, address = excluded.address, postcode = excluded.postcode, country = excluded.country,
    date_of_birth = excluded.date_of_birth, first_seen = excluded.first_seen, last_seen = excluded.last_seen,
    source_count = excluded.source_count, updated_at = now()
where (c.status, c.merged_into, c.email, c.customer_name, c.phone, c.address, c.postcode, c.country, c.date_of_birth,
       c.first_seen, c.last_seen, c.source_count)
      is distinct from
      ('active', null::bigint, excluded.email, excluded.customer_name, excluded.phone, excluded.address, excluded.postcode,
       excluded.country, excluded.date_of_birth, excluded.first_seen, excluded.last_seen, excluded.source_count);

insert into core.customer_identity as i (source, source_customer_id, customer_id)
select source, source_customer_id, customer_id from id_assign
on conflict (source, source_customer_id) do update set customer_id = excluded.customer_id, linked_at = now()
where i.customer_id <> excluded.customer_id;

update core.customer c
   set status = 'merged', merged_into = m.merged_into, updated_at = now()
  from id_merged m
 where c.customer_id = m.customer_id
   and (c.status, c.merged_into) is distinct from ('merged', m.merged_into);

-- Evidence follows merges; new links replace what was recorded for the same pair.
update identity.merge_evidence e set customer_id = m.merged_into from id_merged m where e.customer_id = m.customer_id;

insert into identity.merge_evidence as e
select * from id_evidence
on conflict (left_source, left_id, right_source, right_id) do update set
    customer_id = excluded.customer_id, rule = excluded.rule, probability = excluded.probability,
    match_weight = excluded.match_weight, fields = excluded.fields, run_id = excluded.run_id, recorded_at = excluded.recorded_at
where (e.customer_id, e.rule, e.probability, e.match_weight, e.fields)
      is distinct from (excluded.customer_id, excluded.rule, excluded.probability, excluded.match_weight, excluded.fields);

insert into identity.customer_history (run_id, event, customer_id, related_customer_id)
select @run_id, event, customer_id, related_customer_id from id_history;

-- Every source record with its cleaned match keys (when cleaned before) and its current customer.
select s.source, s.source_customer_id, s.email, s.customer_name, s.phone, s.address, s.postcode, s.country,
       to_char(s.date_of_birth, 'YYYY-MM-DD') as date_of_birth, s.first_seen, s.last_seen, s.updated_at,
       c.source_updated_at is not null and c.source_updated_at = s.updated_at as clean_current,
       c.given, c.family, c.email as clean_email, c.verified_email, c.phone as clean_phone, c.date_of_birth as clean_dob,
       c.street_number, c.street, c.locality, c.postcode as clean_postcode, c.region, c.country as clean_country,
       i.customer_id
  from core.source_customer s
  left join identity.clean_record c on c.source = s.source and c.source_customer_id = s.source_customer_id
  left join core.customer_identity i on i.source = s.source and i.source_customer_id = s.source_customer_id
 order by s.source, s.source_customer_id;

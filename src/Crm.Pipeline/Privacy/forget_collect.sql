-- Who is being forgotten: the golden customers (with everything merged into or out of them),
-- every source record of theirs, and every email address, phone and name they appear under.
-- Scratch tables live until the caller's transaction ends.
create temp table forget_customer (customer_id bigint primary key) on commit drop;
create temp table forget_identity (source text not null, id text not null, primary key (source, id)) on commit drop;
create temp table forget_value (kind text not null, value text not null, primary key (kind, value)) on commit drop;
create temp table forget_visitor (visitor_key text primary key) on commit drop;
create temp table forget_count (tbl text not null, n bigint not null) on commit drop;

insert into forget_value select 'email', ops.suppression_email(@email) where ops.suppression_email(@email) is not null;

insert into forget_customer select customer_id from core.customer where customer_id = @customer_id;
insert into forget_customer
select customer_id from core.customer_identity
 where source = 'email' and source_customer_id = ops.suppression_email(@email)
union
select customer_id from core.customer where ops.suppression_email(email) = ops.suppression_email(@email)
union
select i.customer_id from core.source_customer s
  join core.customer_identity i on i.source = s.source and i.source_customer_id = s.source_customer_id
 where ops.suppression_email(s.email) = ops.suppression_email(@email)
on conflict do nothing;

-- A merged-away id and its survivor are the same person.
insert into forget_customer
with recursive c(id) as (
    select customer_id from forget_customer
    union
    select case when x.merged_into = c.id then x.customer_id else x.merged_into end
      from core.customer x join c on x.merged_into = c.id or (x.customer_id = c.id and x.merged_into is not null)
)
select id from c where id is not null
on conflict do nothing;

insert into forget_identity
select source, source_customer_id from core.customer_identity where customer_id in (select customer_id from forget_customer)
union
select source, source_customer_id from core.source_customer where ops.suppression_email(email) in (select value from forget_value where kind = 'email')
on conflict do nothing;

-- Every address, phone and name of theirs, from golden records, source records, cleaned records and staging.
create temp table forget_raw (kind text not null, value text) on commit drop;
insert into forget_raw
select 'email', email from core.customer where customer_id in (select customer_id from forget_customer)
union all select 'phone', phone from core.customer where customer_id in (select customer_id from forget_customer)
union all select 'name', customer_name from core.customer where customer_id in (select customer_id from forget_customer)
union all select 'email', id from forget_identity where source = 'email'
union all select 'email', s.email from core.source_customer s join forget_identity f on (f.source, f.id) = (s.source, s.source_customer_id)
union all select 'phone', s.phone from core.source_customer s join forget_identity f on (f.source, f.id) = (s.source, s.source_customer_id)
union all select 'name', s.customer_name from core.source_customer s join forget_identity f on (f.source, f.id) = (s.source, s.source_customer_id)
union all select 'email', c.email from identity.clean_record c join forget_identity f on (f.source, f.id) = (c.source, c.source_customer_id)
union all select 'email', c.verified_email from identity.clean_record c join forget_identity f on (f.source, f.id) = (c.source, c.source_customer_id)
union all select 'phone', c.phone from identity.clean_record c join forget_identity f on (f.source, f.id) = (c.source, c.source_customer_id)
union all select 'email', o.email from staging.order_line o join forget_identity f on f.source = 'orders:' || o.feed and f.id = coalesce(o.source_customer_id, 'email:' || lower(o.email))
union all select 'phone', o.phone from staging.order_line o join forget_identity f on f.source = 'orders:' || o.feed and f.id = coalesce(o.source_customer_id, 'email:' || lower(o.email))
union all select 'name', o.customer_name from staging.order_line o join forget_identity f on f.source = 'orders:' || o.feed and f.id = coalesce(o.source_customer_id, 'email:' || lower(o.email));

insert into forget_value
select 'email', ops.suppression_email(value) from forget_raw where kind = 'email' and ops.suppression_email(value) is not null
union select 'phone', ops.suppression_phone(value) from forget_raw where kind = 'phone' and ops.suppression_phone(value) is not null
union select 'phone_raw', btrim(value) from forget_raw where kind = 'phone' and ops.suppression_phone(value) is not null
union select 'name', btrim(value) from forget_raw where kind = 'name' and length(btrim(value)) >= 4
on conflict do nothing;

-- Web visitors: those linked to any of their records or addresses, and those identity resolution joined to them.
insert into forget_visitor
select l.visitor_key from core.web_visitor_link l join forget_identity f on (f.source, f.id) = (l.source, l.source_customer_id)
union
select l.visitor_key from core.web_visitor_link l where l.source = 'email' and l.source_customer_id in (select value from forget_value where kind = 'email')
union
select id from forget_identity where source = 'web'
on conflict do nothing;

select (select count(*) from forget_customer) as customers,
       (select count(*) from forget_identity) as identities,
       (select count(*) from forget_value) as values_found,
       (select count(*) from forget_visitor) as visitors;

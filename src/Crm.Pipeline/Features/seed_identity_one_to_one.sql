-- Until identity resolution has run, give every source customer without a golden record its own
-- golden customer (one to one). Used by `crm clv fit PATH`, the demo and tests; the identity stage
-- replaces this with real resolution. Ids are drawn from the customer sequence first so the two
-- inserts agree without relying on row order.
create temp table seed_identity on commit drop as
select sc.source, sc.source_customer_id, sc.email, sc.customer_name, sc.first_seen, sc.last_seen,
       nextval(pg_get_serial_sequence('core.customer', 'customer_id')) as customer_id
from core.source_customer sc
where not exists (select 1 from core.customer_identity ci
                  where ci.source = sc.source and ci.source_customer_id = sc.source_customer_id)
order by sc.source, sc.source_customer_id;

insert into core.customer (customer_id, email, customer_name, first_seen, last_seen)
select customer_id, email, customer_name, first_seen, last_seen from seed_identity;

insert into core.customer_identity (source, source_customer_id, customer_id)
select source, source_customer_id, customer_id from seed_identity;

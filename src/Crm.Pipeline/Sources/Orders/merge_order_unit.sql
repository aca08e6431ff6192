-- Merges one landed order-feed unit (staging rows of @ledger_id) into core, set-based.
-- Lines are keyed by the feed's line number when it has one, else by a hash of their content
-- and their occurrence within the order, so re-delivering a file changes nothing and a
-- changed file is reconciled order by order: the orders it holds take exactly its lines.

create temp table unit_line on commit drop as
select h.*,
       coalesce(h.line_ref, h.content_hash::text || '#' || row_number() over (partition by h.order_id, h.content_hash order by h.line_number)) as line_key
from (
    select s.*,
           hashtextextended(concat_ws('|', s.sku, s.description, s.quantity, s.unit_price, s.line_total, s.status, s.order_ts), 0) as content_hash,
           coalesce(s.source_customer_id, 'email:' || lower(s.email)) as customer_key
    from staging.order_line s
    where s.ledger_id = @ledger_id
) h;

-- A line number given twice in one file: the later row wins, the earlier counts as a duplicate.
create temp table unit_distinct on commit drop as
select distinct on (order_id, line_key) *
from unit_line
order by order_id, line_key, line_number desc;

-- Temporary tables have no statistics until analysed; without them the planner picks nested loops.
analyze unit_distinct;

create temp table unit_result on commit drop as
with removed as (
    delete from core.order_line c
    using (select distinct order_id from unit_distinct) o
    where c.feed = @feed
      and c.order_id = o.order_id
      and not exists (select 1 from unit_distinct u where u.order_id = c.order_id and u.line_key = c.line_key)
    returning 1
), upserted as (
    insert into core.order_line as c
        (feed, order_id, line_key, sku, description, quantity, unit_price, line_total, status, ledger_id, line_number)
    select @feed, order_id, line_key, sku, description, quantity, unit_price, line_total, status, ledger_id, line_number
    from unit_distinct
    on conflict (feed, order_id, line_key) do update
        set sku = excluded.sku, description = excluded.description, quantity = excluded.quantity,
            unit_price = excluded.unit_price, line_total = excluded.line_total, status = excluded.status,
            ledger_id = excluded.ledger_id, line_number = excluded.line_number
        where (c.sku, c.description, c.quantity, c.unit_price, c.line_total, c.status)
              is distinct from (excluded.sku, excluded.description, excluded.quantity, excluded.unit_price, excluded.line_total, excluded.status)
    returning 1
)
select (select count(*) from removed) as removed, (select count(*) from upserted) as loaded;

-- After the reconcile an order's lines in core are exactly its lines in this unit, so the
-- order header is computed from the unit alone.
insert into core."order" as o
    (feed, order_id, order_ts, source_customer_id, currency, status, line_count, total_amount, ledger_id)
select @feed, a.order_id, h.order_ts, h.customer_key, h.currency, a.status, a.line_count, a.total_amount, @ledger_id
from (select order_id,
             case when bool_and(status = 'cancelled') then 'cancelled'
                  when bool_and(status = 'returned') then 'returned'
                  else 'ordered' end as status,
             count(*) as line_count,
             coalesce(sum(line_total) filter (where status <> 'cancelled'), 0) as total_amount
      from unit_distinct group by order_id) a
join (select distinct on (order_id) order_id, order_ts, customer_key, currency
      from unit_distinct order by order_id, line_number) h using (order_id)
on conflict (feed, order_id) do update
    set order_ts = excluded.order_ts, source_customer_id = excluded.source_customer_id,
        currency = excluded.currency, status = excluded.status, line_count = excluded.line_count,
        total_amount = excluded.total_amount, ledger_id = excluded.ledger_id, updated_at = now();

-- Source customers: the most recent row's details (missing ones keep what we knew), and the span seen.
insert into core.source_customer as c
    (source, source_customer_id, email, customer_name, phone, address, postcode, country, first_seen, last_seen)
select 'orders:' || @feed, l.customer_key, l.email, l.customer_name, l.phone, l.address, l.postcode, l.country, s.first_seen, s.last_seen
from (select distinct on (customer_key) customer_key, email, customer_name, phone, address, postcode, country
      from unit_distinct order by customer_key, order_ts desc, line_number desc) l
join (select customer_key, min(order_ts) as first_seen, max(order_ts) as last_seen
      from unit_distinct group by customer_key) s using (customer_key)
on conflict (source, source_customer_id) do update
    set email = coalesce(excluded.email, c.email),
        customer_name = coalesce(excluded.customer_name, c.customer_name),
        phone = coalesce(excluded.phone, c.phone),
        address = coalesce(excluded.address, c.address),
        postcode = coalesce(excluded.postcode, c.postcode),
        country = coalesce(excluded.country, c.country),
        first_seen = least(c.first_seen, excluded.first_seen),
        last_seen = greatest(c.last_seen, excluded.last_seen),
        updated_at = now();

select (select count(*) from unit_line) as staged, r.loaded, r.removed from unit_result r;

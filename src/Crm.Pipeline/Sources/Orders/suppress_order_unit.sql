-- Drops the staged lines of a unit that belong to a forgotten person (ops.suppression: by address,
-- phone or the feed's customer id) and returns their positions, for 'suppressed' quarantine rows.
delete from staging.order_line o
 where o.ledger_id = @ledger_id
   and exists (select 1 from ops.suppression s
                where s.hash in (ops.suppression_hash('email', ops.suppression_email(o.email)),
                                 ops.suppression_hash('phone', ops.suppression_phone(o.phone)),
                                 ops.suppression_hash('customer', 'orders:' || o.feed || '/' || coalesce(o.source_customer_id, 'email:' || lower(o.email)))))
returning o.line_number;

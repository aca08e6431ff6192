-- Drops the staged messages of a unit (or batch) that involve a forgotten person (any address on ops.suppression:
-- sender, recipients, reply-to, the customer) and returns their positions and ledger units, for 'suppressed' quarantine rows.
with d as (
    delete from email_stage s
     where exists (select 1
                     from unnest(array[s.from_address, s.customer_address] || s.to_addresses || s.cc_addresses
                                 || s.reply_to_addresses || s.external_addresses) a(address)
                     join ops.suppression p on p.hash = ops.suppression_hash('email', ops.suppression_email(a.address)))
    returning s.row_no, s.dedupe_key, s.ledger_id)
, a as (delete from email_stage_attachment x using d where x.dedupe_key = d.dedupe_key)
select row_no, ledger_id from d order by row_no;

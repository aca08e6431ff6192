-- Releases the ledger units of a source that hold quarantined rows (of one reason kind, or all), so the
-- next ingest reads those files again: the unit's checksum is cleared (the file is no longer "already
-- loaded"; its path still is, so an order file is reconciled order by order and an email file counts
-- messages already in core as duplicates), and its quarantine rows are removed — the re-read quarantines
-- again whatever is still wrong. The reason kind is the dashboard's: quoted values and numbers as '…'.
with units as (
    select distinct q.ledger_id
      from quarantine.record q
      join ops.ingest_ledger l on l.ledger_id = q.ledger_id
     where q.source = @source and l.source = @source
       and l.checksum is not null
       and q.reason not like 'suppressed%'
       and (@kind::text is null or regexp_replace(q.reason, '''[^'']*''|\d+', '…', 'g') = @kind)
), released as (
    update ops.ingest_ledger l
       set checksum = null,
           detail = coalesce(l.detail, '{}'::jsonb) || jsonb_build_object('released_for_reprocess', now(), 'released_by', @by::text)
      from units u
     where l.ledger_id = u.ledger_id
    returning l.ledger_id, l.unit_path
), removed as (
    delete from quarantine.record q using released r where q.ledger_id = r.ledger_id returning 1
)
select (select count(*) from removed) as quarantine_rows, coalesce(array_agg(unit_path order by ledger_id), '{}') as units from released;

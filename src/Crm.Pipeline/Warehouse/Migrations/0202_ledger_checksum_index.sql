-- "Was this content loaded before?" asks by source and checksum (the unit-key prefix only narrows
-- it): without this index each lookup scanned every ledger row of the source, which made a drop
-- folder of single-message files quadratic (issue #10).
create index if not exists ingest_ledger_source_checksum on ops.ingest_ledger (source, checksum);

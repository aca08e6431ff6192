-- When a source last brought a row in.
select max(loaded_at) from ops.ingest_ledger where source = @source and loaded_count > 0;

-- Data health per source from the ingest ledger: everything ever loaded, what arrived since @since,
-- and when the source last delivered (freshness).
select source,
       count(*)::bigint                                   as units,
       coalesce(sum(read_count), 0)::bigint               as rows_read,
       coalesce(sum(loaded_count), 0)::bigint             as rows_loaded,
       coalesce(sum(quarantined_count), 0)::bigint        as quarantined,
       coalesce(sum(duplicate_count), 0)::bigint          as duplicates,
       coalesce(sum(loaded_count) filter (where loaded_at >= @since), 0)::bigint as loaded_recently,
       max(loaded_at)                                     as last_loaded_at
from ops.ingest_ledger
group by source
order by source;

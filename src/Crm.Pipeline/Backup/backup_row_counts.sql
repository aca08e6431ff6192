-- Rows per table of every schema but PostgreSQL's own, for a snapshot's manifest and a restore's check. Only tables that
-- hold rows themselves (relkind 'r': plain tables and the leaves of partitioned ones), so no row is counted twice.
select n.nspname as schema_name,
       c.relname as table_name,
       (xpath('/row/c/text()',
              query_to_xml(format('select count(*) as c from %I.%I', n.nspname, c.relname), false, true, '')))[1]::text::bigint as row_count
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
where c.relkind = 'r'
  and n.nspname not in ('pg_catalog', 'information_schema')
  and n.nspname not like 'pg\_%'
  and not exists (select 1 from pg_depend d where d.objid = c.oid and d.deptype = 'e')
order by 1, 2;

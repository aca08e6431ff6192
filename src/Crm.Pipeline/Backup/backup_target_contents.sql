-- What a restore target already holds: tables, views and sequences outside PostgreSQL's own schemas (extension members
-- not counted), and the schemas other than public. An empty warehouse has none.
select (select count(*)
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where c.relkind in ('r', 'p', 'v', 'm', 'S', 'f')
          and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\_%'
          and not exists (select 1 from pg_depend d where d.objid = c.oid and d.deptype = 'e')) as relations,
       (select coalesce(string_agg(quote_ident(nspname), ',' order by nspname), '')
        from pg_namespace
        where nspname not in ('pg_catalog', 'information_schema', 'public') and nspname not like 'pg\_%') as schemas;

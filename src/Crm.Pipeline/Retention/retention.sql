-- Applies the retention windows (a null window keeps everything) and returns rows affected per kind.
-- The report archive keeps each delivery row (the exactly-once guard) and drops its body; the
-- model registry keeps every row and its metrics and drops old artifacts.
create temp table retention_count (what text not null, n bigint not null) on commit drop;

with d as (
    delete from staging.order_line s
     using ops.ingest_ledger l
     where @staging_days is not null and s.ledger_id = l.ledger_id and l.loaded_at < @now - make_interval(days => @staging_days)
    returning 1)
insert into retention_count select 'staging rows', count(*) from d;

with d as (
    delete from quarantine.record q
     where @quarantine_days is not null and q.quarantined_at < @now - make_interval(days => @quarantine_days)
    returning 1)
insert into retention_count select 'quarantine rows', count(*) from d;

create temp table retention_report_files on commit drop as
with d as (
    update ops.report_delivery r
       set html = null, eml = null, html_path = null, eml_path = null, updated_at = now()
      from (select delivery_id, html_path, eml_path from ops.report_delivery
             where @report_days is not null
               and status in ('sent', 'permanent-failure')
               and coalesce(sent_at, created_at) < @now - make_interval(days => @report_days)
               and (html is not null or eml is not null or html_path is not null or eml_path is not null)) old
     where r.delivery_id = old.delivery_id
    returning old.html_path, old.eml_path)
select * from d;
insert into retention_count select 'archived reports', count(*) from retention_report_files;

with d as (
    delete from ops.pipeline_run r
     where @run_days is not null and r.status <> 'running' and r.started_at < @now - make_interval(days => @run_days)
    returning 1)
insert into retention_count select 'pipeline runs', count(*) from d;

-- Per-customer model output history: rows past the window go, but never a customer's latest row.
with d as (
    delete from ml.churn_score s
     where @score_days is not null and s.scored_at < @now - make_interval(days => @score_days)
       and exists (select 1 from ml.churn_score n where n.customer_id = s.customer_id and n.scored_at > s.scored_at)
    returning 1)
insert into retention_count select 'churn score history', count(*) from d;

with d as (
    delete from ml.customer_value v
     where @score_days is not null and v.computed_at < @now - make_interval(days => @score_days)
       and exists (select 1 from ml.customer_value n where n.customer_id = v.customer_id and n.computed_at > v.computed_at)
    returning 1)
insert into retention_count select 'customer value history', count(*) from d;

with d as (
    delete from ml.customer_segment g
     where @score_days is not null and g.as_of < @now - make_interval(days => @score_days)
       and exists (select 1 from ml.customer_segment n where n.customer_id = g.customer_id and n.scheme = g.scheme and n.as_of > g.as_of)
    returning 1)
insert into retention_count select 'segment history', count(*) from d;

with ranked as (
    select model_id, status,
           row_number() over (partition by kind order by model_id desc) as recent,
           row_number() over (partition by kind, (status <> 'champion' and promoted_at is not null)
                              order by promoted_at desc nulls last, model_id desc) as promoted_rank,
           (status <> 'champion' and promoted_at is not null) as was_champion
      from ml.model
), d as (
    update ml.model m
       set artifact = null
      from ranked k
     where @models_kept is not null
       and k.model_id = m.model_id
       and m.artifact is not null
       and k.status <> 'champion'
       and not (k.was_champion and k.promoted_rank = 1)
       and k.recent > @models_kept
    returning 1)
insert into retention_count select 'model artifacts', count(*) from d;

-- Feature cutoffs no longer in the churn calendar (@needed_cutoffs), built more than @feature_days ago.
with gone as (
    delete from ml.feature_cutoff c
     where @feature_days is not null
       and c.cutoff <> all (@needed_cutoffs::date[])
       and c.computed_at < @now - make_interval(days => @feature_days)
    returning c.cutoff),
d as (
    delete from ml.customer_features f using gone where f.cutoff = gone.cutoff
    returning 1)
insert into retention_count select 'feature rows', count(*) from d;

select what, n from retention_count;

-- The churn champion, its AUC and when it became champion, and the AUC of the champion before it.
with champion as (
    select model_id, version, trainer, metrics, coalesce(promoted_at, created_at) as since
    from ml.model
    where kind = 'churn' and status = 'champion'
    order by coalesce(promoted_at, created_at) desc
    limit 1
),
previous as (
    select m.version, m.metrics
    from ml.model m, champion c
    where m.kind = 'churn' and m.model_id <> c.model_id and m.promoted_at is not null and m.promoted_at < c.since
    order by m.promoted_at desc
    limit 1
)
select c.version, c.trainer,
       coalesce(c.metrics ->> 'latest_auc', c.metrics ->> 'auc', c.metrics #>> '{summary,auc}')::double precision as auc,
       c.since,
       p.version as previous_version,
       coalesce(p.metrics ->> 'latest_auc', p.metrics ->> 'auc', p.metrics #>> '{summary,auc}')::double precision as previous_auc,
       (select count(*) from ml.model where kind = 'churn' and status = 'challenger')::bigint as challengers,
       -- The champion's own backtest, oldest cutoff first: its AUC trend, and the last cutoff it learnt from.
       (select string_agg((b ->> 'cutoff') || '=' || (b #>> '{metrics,roc_auc}'), ';' order by b ->> 'cutoff')
        from jsonb_array_elements(case when jsonb_typeof(c.metrics -> 'backtest') = 'array' then c.metrics -> 'backtest' else '[]'::jsonb end) b
        where b ->> 'model' = c.trainer and b #>> '{metrics,roc_auc}' is not null) as auc_trend,
       (c.metrics ->> 'horizon_days')::int as horizon_days
from champion c
left join previous p on true;

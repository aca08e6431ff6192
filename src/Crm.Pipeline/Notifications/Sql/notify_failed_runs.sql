-- The last finished run of each kind; a kind whose last run failed (after its retries) or was abandoned is an incident.
select distinct on (kind) kind, run_id, status, coalesce(finished_at, abandoned_at, started_at) as ended_at, error
from ops.pipeline_run
where status in ('succeeded', 'failed', 'abandoned')
order by kind, coalesce(finished_at, abandoned_at, started_at) desc, started_at desc;

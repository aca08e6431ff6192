-- Runs and stages are never left 'running' by an owner that died. Whoever runs a run in its own
-- process (crm run, crm demo), or a stage as a Hangfire job, holds a session advisory lock
-- ('crm.run:<run id>' or 'crm.stage:<run id>:<stage>') and renews heartbeat_at on that session
-- every heartbeat_seconds. A row still 'running' whose lock nobody holds and whose heartbeat is three
-- beats old, while the server has been up for three beats, is marked 'abandoned' (abandoned_at is
-- when that was found) by the next run or service start. A chained run enqueued for the service has
-- no owner of its own (heartbeat_at null): its stage jobs do, and its last job closes it.
alter table ops.pipeline_run
    add column owner             text,           -- host:pid and command of the process running it
    add column heartbeat_at      timestamptz,
    add column heartbeat_seconds integer,
    add column abandoned_at      timestamptz;

alter table ops.pipeline_stage
    add column owner             text,           -- host:pid (and Hangfire job) running it
    add column heartbeat_at      timestamptz,
    add column heartbeat_seconds integer,
    add column abandoned_at      timestamptz,
    add column attempts          integer not null default 1;

-- Rows an earlier version left 'running' kept no heartbeat: judge them from when they started.
update ops.pipeline_run set heartbeat_at = started_at, heartbeat_seconds = 15 where status = 'running';
update ops.pipeline_stage set heartbeat_at = started_at, heartbeat_seconds = 15 where status = 'running';

create index pipeline_run_running on ops.pipeline_run (started_at) where status = 'running';
create index pipeline_stage_running on ops.pipeline_stage (started_at) where status = 'running';

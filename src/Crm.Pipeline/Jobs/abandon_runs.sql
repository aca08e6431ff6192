-- Marks 'abandoned' what is 'running' but whose owner is gone. Proof of a gone owner, all three:
-- its heartbeat is more than three beats old; the server has been up for more than three beats (so a
-- live owner cut off by a restart has had time to take its lock again and beat); and nobody holds its
-- lock (this statement takes it for the length of its transaction, so the owner cannot be mid-renewal).
-- A stage run inside its run's process has no lease of its own and goes with its run.
with stale_run as materialized (
    select run_id, owner, heartbeat_at
      from ops.pipeline_run
     where status = 'running' and heartbeat_at is not null
       and heartbeat_at < now() - make_interval(secs => 3.0 * coalesce(heartbeat_seconds, 15))
       and pg_postmaster_start_time() < now() - make_interval(secs => 3.0 * coalesce(heartbeat_seconds, 15))),
gone_run as materialized (
    select * from stale_run where pg_try_advisory_xact_lock(hashtextextended('crm.run:' || run_id::text, 0))),
run_marked as (
    update ops.pipeline_run r
       set status = 'abandoned', abandoned_at = now(),
           error = 'abandoned: ' || coalesce(g.owner, 'its process') || ' stopped its heartbeat at '
                   || to_char(g.heartbeat_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC and holds no lock'
      from gone_run g
     where r.run_id = g.run_id and r.status = 'running'
    returning r.run_id),
stale_stage as materialized (
    select run_id, stage, owner, heartbeat_at
      from ops.pipeline_stage
     where status = 'running' and heartbeat_at is not null
       and heartbeat_at < now() - make_interval(secs => 3.0 * coalesce(heartbeat_seconds, 15))
       and pg_postmaster_start_time() < now() - make_interval(secs => 3.0 * coalesce(heartbeat_seconds, 15))),
gone_stage as materialized (
    select * from stale_stage where pg_try_advisory_xact_lock(hashtextextended('crm.stage:' || run_id::text || ':' || stage, 0))),
gone as (
    select run_id, stage, owner, heartbeat_at from gone_stage
    union all
    select s.run_id, s.stage, g.owner, g.heartbeat_at
      from ops.pipeline_stage s join gone_run g using (run_id)
     where s.status = 'running' and s.heartbeat_at is null),
stage_marked as (
    update ops.pipeline_stage s
       set status = 'abandoned', abandoned_at = now(),
           error = 'abandoned: ' || coalesce(g.owner, 'its process') || ' stopped its heartbeat at '
                   || to_char(g.heartbeat_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC and holds no lock',
           -- The sum over its attempts, the open one credited with the units it committed (as attempt_marked records it).
           rows_read = coalesce(t.rows_read, s.rows_read), rows_written = coalesce(t.rows_written, s.rows_written)
      from gone g
      left join lateral (
          select sum(case when a.status = 'running' then c.rows_read else a.rows_read end)::bigint as rows_read,
                 sum(case when a.status = 'running' then c.rows_written else a.rows_written end)::bigint as rows_written
            from ops.pipeline_stage_attempt a
            cross join lateral ops.stage_attempt_credit(a.run_id, a.stage, a.started_at) c
           where a.run_id = g.run_id and a.stage = g.stage) t on true
     where s.run_id = g.run_id and s.stage = g.stage and s.status = 'running'
    returning s.run_id, s.stage, s.error),
attempt_marked as (
    update ops.pipeline_stage_attempt a
       set status = 'abandoned', finished_at = now(), error = m.error,
           (rows_read, rows_written) = (select c.rows_read, c.rows_written from ops.stage_attempt_credit(a.run_id, a.stage, a.started_at) c)
      from stage_marked m
     where a.run_id = m.run_id and a.stage = m.stage and a.status = 'running'
    returning 1)
select (select count(*) from run_marked), (select count(*) from stage_marked), (select count(*) from attempt_marked);

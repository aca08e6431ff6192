-- Opens the attempt of @id/@stage that its stage row now counts (ops.pipeline_stage.attempts, just raised by the caller).
-- An earlier attempt still open (its owner died, or its end could not be recorded) is closed first as abandoned,
-- credited with the units it committed (ops.stage_attempt_credit), and the stage's counts are summed again.
with closed as (
    update ops.pipeline_stage_attempt a
       set status = 'abandoned', finished_at = now(), error = coalesce(a.error, 'abandoned: a later attempt started'),
           (rows_read, rows_written) = (select c.rows_read, c.rows_written from ops.stage_attempt_credit(a.run_id, a.stage, a.started_at) c)
     where a.run_id = @id and a.stage = @stage and a.status = 'running'
       and a.attempt < (select attempts from ops.pipeline_stage where run_id = @id and stage = @stage)
    returning a.rows_read, a.rows_written),
opened as (
    insert into ops.pipeline_stage_attempt as a (run_id, stage, attempt, owner, hangfire_job_id)
    select run_id, stage, attempts, owner, hangfire_job_id from ops.pipeline_stage where run_id = @id and stage = @stage
    on conflict (run_id, stage, attempt) do update
        set status = 'running', started_at = now(), finished_at = null, error = null, rows_read = null, rows_written = null,
            owner = excluded.owner, hangfire_job_id = excluded.hangfire_job_id
    returning 1)
select (select count(*) from closed), (select count(*) from opened);

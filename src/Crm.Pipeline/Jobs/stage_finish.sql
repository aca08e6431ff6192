-- Records the end of the current attempt of @id/@stage: the counts its stage reported when it succeeded, the units
-- it committed when it failed (ops.stage_attempt_credit). Then the stage takes the status of that attempt and, as
-- its counts, the sum over all its attempts. Safe to repeat (a retry after a lost reply writes the same values).
-- An attempt that succeeded resolves the stage's open alerts it did not raise again (raised or seen before the
-- attempt began): their condition has passed, and the admins get the resolve (Notifications).
update ops.alert al
   set resolved_at = now()
  from ops.pipeline_stage s
  join ops.pipeline_stage_attempt a on a.run_id = s.run_id and a.stage = s.stage and a.attempt = s.attempts
 where @status = 'succeeded' and s.run_id = @id and s.stage = @stage
   and al.source = @stage and al.resolved_at is null and coalesce(al.seen_at, al.raised_at) < a.started_at;

update ops.pipeline_stage_attempt a
   set status = @status, finished_at = coalesce(a.finished_at, now()), error = @error,
       (rows_read, rows_written) = (
           select coalesce(@read, c.rows_read), coalesce(@written, c.rows_written)
             from ops.stage_attempt_credit(a.run_id, a.stage, a.started_at) c)
  from ops.pipeline_stage s
 where s.run_id = @id and s.stage = @stage and a.run_id = s.run_id and a.stage = s.stage and a.attempt = s.attempts;

update ops.pipeline_stage s
   set status = @status, finished_at = now(), detail = @detail, error = @error, abandoned_at = null,
       rows_read = coalesce(t.rows_read, @read), rows_written = coalesce(t.rows_written, @written)
  from (select sum(rows_read)::bigint as rows_read, sum(rows_written)::bigint as rows_written
          from ops.pipeline_stage_attempt where run_id = @id and stage = @stage) t
 where s.run_id = @id and s.stage = @stage
returning s.rows_read, s.rows_written, s.attempts;

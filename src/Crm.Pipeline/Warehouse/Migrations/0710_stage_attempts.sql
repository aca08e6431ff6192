-- Every attempt of a stage, and a stage's counts as the sum over its attempts. A retried ingest
-- stage skips the files an earlier attempt committed, so the last attempt alone reads only what was
-- left: ops.pipeline_stage.rows_read / rows_written now add up every attempt of the stage in its run.
-- An attempt that succeeded counts what its stage reported; one that failed or whose owner died
-- reported nothing, and counts the units it committed before it stopped (ops.ingest_ledger rows of
-- its run and source loaded since it started; zero for stages that keep no ledger).
create table ops.pipeline_stage_attempt (
    run_id          uuid        not null,
    stage           text        not null,
    attempt         integer     not null,
    status          text        not null default 'running',  -- running | succeeded | failed | abandoned
    owner           text,                                    -- host:pid (and Hangfire job)
    hangfire_job_id text,
    started_at      timestamptz not null default now(),
    finished_at     timestamptz,
    rows_read       bigint,
    rows_written    bigint,
    error           text,
    primary key (run_id, stage, attempt),
    foreign key (run_id, stage) references ops.pipeline_stage (run_id, stage) on delete cascade
);

-- What an attempt of @stage in @run committed since @since, for an attempt that reported no counts.
create function ops.stage_attempt_credit(p_run uuid, p_stage text, p_since timestamptz, out rows_read bigint, out rows_written bigint)
language sql stable as $$
    select coalesce(sum(l.read_count), 0)::bigint, coalesce(sum(l.loaded_count), 0)::bigint
      from ops.ingest_ledger l
     where l.run_id = p_run and l.source = p_stage and l.loaded_at >= p_since
$$;

-- Stages recorded before: their last attempt is the one known, with the counts it recorded.
insert into ops.pipeline_stage_attempt
    (run_id, stage, attempt, status, owner, hangfire_job_id, started_at, finished_at, rows_read, rows_written, error)
select run_id, stage, attempts, status, owner, hangfire_job_id, started_at, finished_at, rows_read, rows_written, error
  from ops.pipeline_stage;

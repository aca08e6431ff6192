-- The Hangfire job that ran each stage of a run. A firing enqueued twice (a node died between
-- the enqueue and the commit of its claim) gives two chains for one run; the second chain's
-- jobs see the stage succeeded under another job and skip it, while a requeue of the same job
-- from the dashboard still runs it again.
alter table ops.pipeline_stage add column hangfire_job_id text;

-- ops.ping: one row per execution of the diagnostic `ops.ping` job (crm ping). It tells an operator
-- which worker nodes take work from the shared Hangfire queue, and lets the multi-node tests count
-- executions per job id: no unique key on purpose, so a job run twice shows up as two rows.

create table ops.ping (
    ping_id     bigint generated always as identity primary key,
    batch       text        not null,            -- the `crm ping` call that enqueued it
    job_id      text        not null,            -- Hangfire job id
    server_id   text        not null,            -- Hangfire server that ran it (node name:guid)
    host        text        not null,
    process_id  integer     not null,
    executed_at timestamptz not null default now()
);

create index ping_batch_idx on ops.ping (batch, job_id);

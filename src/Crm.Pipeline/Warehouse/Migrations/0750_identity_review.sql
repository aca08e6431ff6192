-- The identity review queue (issue 24): candidate pairs scored inside the uncertain band
-- (Crm:Identity:Review:Lower/Upper), one row per unordered pair of source records (stored in key
-- order). A run adds or refreshes pending items and never touches decided ones; an admin's merge or
-- keep-apart is written to identity.manual_decision (decision_id), which binds every later run.

create table ops.identity_review (
    review_id          bigint generated always as identity primary key,
    left_source        text        not null,
    left_id            text        not null,
    right_source       text        not null,
    right_id           text        not null,
    probability        double precision not null,
    match_weight       double precision not null,
    fields             jsonb       not null,               -- [{field, level, agreement, agrees, weight, left, right}]
    left_record        jsonb       not null,               -- the source record as loaded
    right_record       jsonb       not null,
    left_customer_id   bigint,                             -- each side's golden customer after the run
    right_customer_id  bigint,
    status             text        not null default 'pending' check (status in ('pending', 'merged', 'kept_apart')),
    skipped_at         timestamptz,                        -- "skip": still pending, shown after the others
    skipped_by         text,
    decision_id        bigint references identity.manual_decision (decision_id),
    decided_by         text,
    decided_at         timestamptz,
    run_id             uuid,
    created_at         timestamptz not null default now(),
    updated_at         timestamptz not null default now(),
    unique (left_source, left_id, right_source, right_id),
    check ((status = 'pending') = (decision_id is null))
);
create index identity_review_pending on ops.identity_review (skipped_at nulls first, probability desc) where status = 'pending';

-- Admin notifications (issue 19). An incident is one stretch of time in which a condition holds (a run kind's
-- last run failed, an alert is open, a source is silent, the nightly missed its deadline); at most one incident
-- per key is open at a time, so every node and every restart finds the same row. Each incident gets one
-- notification row per channel and event (open, resolve): the claim that makes a message go out exactly once,
-- leased by the node sending it, retried with back-off when the send fails.

create table ops.incident (
    incident_id   bigint generated always as identity primary key,
    incident_key  text        not null,   -- run-failed:<kind> | alert:<id> | silence:<source> | nightly-not-started | nightly-not-finished
    title         text        not null,
    detail        text,
    opened_at     timestamptz not null default now(),
    resolved_at   timestamptz
);
create unique index incident_open on ops.incident (incident_key) where resolved_at is null;

create table ops.notification (
    notification_id  bigint generated always as identity primary key,
    incident_id      bigint      not null references ops.incident (incident_id) on delete cascade,
    event            text        not null check (event in ('open', 'resolve')),
    channel          text        not null,   -- email:<address> | webhook:<name>
    status           text        not null default 'pending' check (status in ('pending', 'sent', 'failed', 'given-up')),
    attempts         integer     not null default 0,
    claimed_by       text,
    claimed_until    timestamptz,
    next_attempt_at  timestamptz,
    sent_at          timestamptz,
    error            text,
    created_at       timestamptz not null default now(),
    unique (incident_id, event, channel)
);
create index notification_due on ops.notification (next_attempt_at) where status in ('pending', 'failed');

-- When each check was first armed: a deadline or a silence before that moment is not an incident (a fresh
-- warehouse did not miss yesterday's nightly).
create table ops.watch_armed (
    check_name  text        primary key,
    armed_at    timestamptz not null default now()
);

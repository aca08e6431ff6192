-- Manager report deliveries: one row per report × period × recipient (plus explicit resends), so a
-- report goes out exactly once across worker nodes and restarts. A node claims the row before it
-- sends (claimed_by / claimed_until, a lease), and the row keeps the sent message for the archive.

create table ops.report_delivery (
    delivery_id      bigint generated always as identity primary key,
    report           text        not null,                 -- e.g. manager-summary
    period_key       text        not null,                 -- cadence:start..end (local dates)
    period_start     date        not null,
    period_end       date        not null,
    recipient        text        not null,                 -- address, lower case
    recipient_name   text,
    language         text,
    status           text        not null default 'pending'
                     check (status in ('pending', 'sent', 'failed', 'permanent-failure')),
    attempts         integer     not null default 0,
    message_id       text        not null,                 -- stable: derived from (report, period, recipient)
    transport        text,                                 -- smtp | outbox
    subject          text,
    claimed_by       text,
    claimed_until    timestamptz,
    next_attempt_at  timestamptz,
    due_at           timestamptz,
    sent_at          timestamptz,
    error            text,
    resend_of        bigint      references ops.report_delivery (delivery_id),
    requested_by     text,                                 -- the admin who asked for a resend
    html             text,                                 -- archived body (images inline as data: URIs)
    eml              bytea,                                -- archived message as sent
    eml_path         text,
    html_path        text,
    created_at       timestamptz not null default now(),
    updated_at       timestamptz not null default now()
);

-- The exactly-once guard: a second node or a restart finds the row and does not send again.
create unique index report_delivery_once on ops.report_delivery (report, period_key, recipient) where resend_of is null;
create unique index report_delivery_message_id on ops.report_delivery (message_id);
create index report_delivery_status on ops.report_delivery (status, next_attempt_at);
create index report_delivery_sent_at on ops.report_delivery (sent_at desc);

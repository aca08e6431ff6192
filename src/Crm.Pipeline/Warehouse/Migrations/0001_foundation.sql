-- Foundation: the warehouse schemas, the ingest ledger, pipeline runs, quarantine,
-- and the order-feed tables (staging and core).

create schema if not exists ops;
create schema if not exists staging;
create schema if not exists quarantine;
create schema if not exists core;
create schema if not exists ml;

-- One row per source unit (a file, a file segment, an IMAP folder range, a feed).
-- The row commits in the same transaction as the rows it loaded, so a unit is
-- either fully in the warehouse with its ledger row, or not at all.
create table ops.ingest_ledger (
    ledger_id          bigint generated always as identity primary key,
    source             text        not null,               -- orders | weblogs | email
    unit_key           text        not null,               -- stable identity of the unit (feed + path, file id + range, account/folder/uidvalidity)
    unit_path          text,
    checksum           text,                                -- SHA-256 of the unit's bytes, hex
    byte_start         bigint,
    byte_end           bigint,
    read_count         bigint      not null default 0,
    loaded_count       bigint      not null default 0,
    quarantined_count  bigint      not null default 0,
    duplicate_count    bigint      not null default 0,
    run_id             uuid,
    detail             jsonb,
    loaded_at          timestamptz not null default now()
);
create index ingest_ledger_unit on ops.ingest_ledger (source, unit_key, checksum);
create index ingest_ledger_loaded_at on ops.ingest_ledger (loaded_at);

-- A pipeline run (nightly chain, demo, a single job by hand) and its stages.
create table ops.pipeline_run (
    run_id       uuid        primary key,
    kind         text        not null,                      -- nightly | demo | manual
    trigger_key  text,                                      -- Quartz trigger + scheduled time, when fired by the scheduler
    status       text        not null default 'running',    -- running | succeeded | failed
    started_at   timestamptz not null default now(),
    finished_at  timestamptz,
    error        text
);
create unique index pipeline_run_trigger_key on ops.pipeline_run (trigger_key) where trigger_key is not null;

create table ops.pipeline_stage (
    run_id       uuid        not null references ops.pipeline_run (run_id) on delete cascade,
    stage        text        not null,
    status       text        not null default 'running',
    started_at   timestamptz not null default now(),
    finished_at  timestamptz,
    rows_read    bigint,
    rows_written bigint,
    detail       jsonb,
    error        text,
    primary key (run_id, stage)
);

-- A Quartz firing enqueues its Hangfire job once: the key is the trigger and its scheduled time.
create table ops.job_enqueue (
    enqueue_key   text        primary key,
    job_name      text        not null,
    hangfire_id   text,
    enqueued_at   timestamptz not null default now()
);

-- Every rejected input, with the reason and the raw text. Nothing is dropped silently.
create table quarantine.record (
    quarantine_id  bigint generated always as identity primary key,
    source         text        not null,
    ledger_id      bigint      references ops.ingest_ledger (ledger_id) on delete cascade,
    unit_path      text,
    line_number    bigint,
    byte_offset    bigint,
    reason         text        not null,
    raw_text       text,
    raw_length     bigint,
    quarantined_at timestamptz not null default now()
);
create index quarantine_record_source on quarantine.record (source, reason);
create index quarantine_record_ledger on quarantine.record (ledger_id);

-- Order feed rows as landed, append-only, with their unit and position.
create table staging.order_line (
    ledger_id          bigint      not null references ops.ingest_ledger (ledger_id) on delete cascade,
    line_number        bigint      not null,
    feed               text        not null,
    order_id           text        not null,
    line_ref           text,                                -- the feed's own line number, when it has one
    order_ts           timestamptz not null,
    source_customer_id text,
    email              text,
    customer_name      text,
    phone              text,
    address            text,
    postcode           text,
    country            text,
    sku                text,
    description        text,
    quantity           numeric     not null,
    unit_price         numeric,
    line_total         numeric     not null,
    currency           text        not null,
    status             text        not null,
    primary key (ledger_id, line_number)
);

-- Customers as each source knows them, before identity resolution.
create table core.source_customer (
    source             text        not null,                -- e.g. orders:<feed>
    source_customer_id text        not null,
    email              text,
    customer_name      text,
    phone              text,
    address            text,
    postcode           text,
    country            text,
    first_seen         timestamptz not null,
    last_seen          timestamptz not null,
    updated_at         timestamptz not null default now(),
    primary key (source, source_customer_id)
);

create table core."order" (
    feed               text        not null,
    order_id           text        not null,
    order_ts           timestamptz not null,
    source_customer_id text,
    currency           text        not null,
    status             text        not null,
    line_count         integer     not null,
    total_amount       numeric     not null,
    ledger_id          bigint      not null,
    updated_at         timestamptz not null default now(),
    primary key (feed, order_id)
);
create index order_customer on core."order" (feed, source_customer_id);
create index order_ts on core."order" (order_ts);

create table core.order_line (
    feed               text        not null,
    order_id           text        not null,
    line_key           text        not null,
    sku                text,
    description        text,
    quantity           numeric     not null,
    unit_price         numeric,
    line_total         numeric     not null,
    status             text        not null,                -- ordered | cancelled | returned
    ledger_id          bigint      not null,
    line_number        bigint      not null,
    primary key (feed, order_id, line_key)
);

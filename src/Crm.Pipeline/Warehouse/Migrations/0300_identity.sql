-- Identity resolution (issue 7): cleaned source records, merge evidence, id history, manual
-- decisions and the fitted model. core.customer / core.customer_identity (0003) hold the output.

create extension if not exists pg_trgm;

alter table core.source_customer add column if not exists date_of_birth date;
create index if not exists source_customer_updated_at on core.source_customer (updated_at);

alter table core.customer add column if not exists date_of_birth date;
alter table core.customer add column if not exists source_count integer not null default 0;
-- Finding a customer by a half-remembered name (dashboard search, manual decisions).
create index if not exists customer_name_trgm on core.customer using gin (customer_name gin_trgm_ops);
create index if not exists customer_email on core.customer (email);

create schema if not exists identity;

-- Source-level cleaned records: each core.source_customer row after the normalisers (match keys),
-- so a nightly delta re-cleans only what changed. Invalid values are null here and in quarantine.
create table identity.clean_record (
    source             text        not null,
    source_customer_id text        not null,
    given              text,
    family             text,
    email              text,
    verified_email     text,
    phone              text,
    date_of_birth      text,
    street_number      text,
    street             text,
    locality           text,
    postcode           text,
    region             text,
    country            text,
    source_updated_at  timestamptz not null,
    cleaned_at         timestamptz not null default now(),
    primary key (source, source_customer_id)
);

-- Why records share a customer: one row per link of the clustering's spanning forest.
create table identity.merge_evidence (
    customer_id        bigint      not null,
    left_source        text        not null,
    left_id            text        not null,
    right_source       text        not null,
    right_id           text        not null,
    rule               text        not null,               -- probabilistic | email | phone | manual
    probability        double precision not null,
    match_weight       double precision,
    fields             jsonb       not null,               -- [{field, level, agreement, weight, left, right}]
    run_id             uuid,
    recorded_at        timestamptz not null default now(),
    primary key (left_source, left_id, right_source, right_id)
);
create index merge_evidence_customer on identity.merge_evidence (customer_id);

-- Every id event: created, merged (related = the id absorbed, now status 'merged'), split
-- (customer_id = the new id, related = the id it was split from).
create table identity.customer_history (
    history_id          bigint generated always as identity primary key,
    run_id              uuid,
    event               text        not null,
    customer_id         bigint      not null,
    related_customer_id bigint,
    detail              jsonb,
    recorded_at         timestamptz not null default now()
);
create index customer_history_customer on identity.customer_history (customer_id);

-- Administrators' decisions, applied on every run: link forces two source records together,
-- split keeps them apart. The latest decision on a pair wins.
create table identity.manual_decision (
    decision_id         bigint generated always as identity primary key,
    decision            text        not null check (decision in ('link', 'split')),
    left_source         text        not null,
    left_id             text        not null,
    right_source        text        not null,
    right_id            text        not null,
    reason              text,
    decided_by          text,
    decided_at          timestamptz not null default now()
);

-- The fitted Fellegi–Sunter model of each full run; a delta run reuses the latest.
create table identity.model (
    model_id            bigint generated always as identity primary key,
    run_id              uuid,
    fitted_at           timestamptz not null default now(),
    record_count        bigint      not null,
    candidate_pairs     bigint      not null,
    model               jsonb       not null
);

-- Where the last run stopped: source rows updated after the watermark form the next delta.
create table identity.state (
    singleton           boolean     primary key default true check (singleton),
    watermark           timestamptz not null,
    last_decision_id    bigint      not null default 0,
    last_run_id         uuid,
    last_mode           text,
    updated_at          timestamptz not null default now()
);

-- The evidence the dashboard shows for a customer: each link with the fields that agreed.
create view identity.merge_evidence_view as
select e.customer_id,
       c.customer_name,
       e.left_source, e.left_id, e.right_source, e.right_id,
       e.rule, e.probability, e.match_weight,
       (select coalesce(jsonb_agg(f->>'field'), '[]'::jsonb) from jsonb_array_elements(e.fields) f where (f->>'agrees')::boolean) as agreeing_fields,
       e.fields,
       e.recorded_at
  from identity.merge_evidence e
  join core.customer c on c.customer_id = e.customer_id;

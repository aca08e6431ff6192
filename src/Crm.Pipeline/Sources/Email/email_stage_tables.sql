-- Per-transaction scratch tables, dropped at commit: the parsed messages of one unit (or of a
-- batch of single-message files, each its own ledger unit) are copied here in binary, then merged
-- into core set-based. (Bodies are not kept twice: core.email carries the
-- unit's ledger id and each message's position.)
create temp table email_stage (
    row_no              bigint      not null,
    ledger_id           bigint      not null,
    dedupe_key          text        not null,
    message_id          text,
    content_hash        text        not null,
    thread_root         text        not null,
    parent_id           text,
    in_reply_to         text,
    "references"        text[]      not null,
    sent_at             timestamptz not null,
    date_missing        boolean     not null,
    from_address        text        not null,
    from_name           text,
    to_addresses        text[]      not null,
    to_names            text[]      not null,
    cc_addresses        text[]      not null,
    cc_names            text[]      not null,
    reply_to_addresses  text[]      not null,
    subject             text,
    body_text           text,
    quoted_text         text,
    body_truncated      boolean     not null,
    mime_defect         text,
    direction           text        not null,
    customer_address    text,
    intents             text[]      not null,
    attachments         jsonb       not null,
    attachment_count    integer     not null,
    size_bytes          bigint,
    source_kind         text        not null,
    source_location     text        not null,
    external_addresses  text[]      not null,
    external_names      text[]      not null
) on commit drop;
create temp table email_stage_attachment (
    dedupe_key    text    not null,
    ordinal       integer not null,
    file_name     text,
    content_type  text    not null,
    size_bytes    bigint  not null,
    content       bytea   not null
) on commit drop;
create temp table email_inserted (email_id bigint primary key, dedupe_key text not null, thread_key text not null, ledger_id bigint not null) on commit drop;
create temp table email_touched (thread_key text primary key) on commit drop;

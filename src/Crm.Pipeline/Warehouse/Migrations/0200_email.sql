-- Emails (issue 6): messages from IMAP folders and .eml/Maildir/mbox drops, their threads, and
-- attachment contents when configured. Customer addresses go to core.source_customer with
-- source 'email' (the identity stage resolves them).

-- One row per distinct message. A second delivery of the same message (same Message-ID and
-- content hash, whatever the transport) hits dedupe_key and counts as a duplicate.
create table core.email (
    email_id            bigint generated always as identity primary key,
    dedupe_key          text        not null unique,           -- message_id || '|' || content_hash
    message_id          text,
    content_hash        text        not null,                  -- SHA-256 of ids, addresses, date, subject, text, attachment list
    thread_key          text        not null,
    parent_id           text,                                  -- In-Reply-To, else last References entry
    in_reply_to         text,
    "references"        text[]      not null default '{}',
    sent_at             timestamptz not null,                  -- Date in UTC; see date_missing
    date_missing        boolean     not null default false,    -- no usable Date: sent_at is the received/ingest time
    from_address        text        not null,
    from_name           text,
    to_addresses        text[]      not null default '{}',
    to_names            text[]      not null default '{}',
    cc_addresses        text[]      not null default '{}',
    cc_names            text[]      not null default '{}',
    reply_to_addresses  text[]      not null default '{}',
    subject             text,
    body_text           text,                                  -- the new text (HTML converted), quotes removed
    quoted_text         text,                                  -- the quoted reply, separated
    body_truncated      boolean     not null default false,
    direction           text        not null,                  -- inbound | outbound (from a staff domain)
    customer_address    text,                                  -- the external party: sender of inbound, first external recipient of outbound
    intents             text[]      not null default '{}',     -- complaint | cancellation | refund | praise
    attachments         jsonb       not null default '[]',     -- [{name, type, size}]
    attachment_count    integer     not null default 0,
    size_bytes          bigint,
    source_kind         text        not null,                  -- imap | eml | mbox
    source_location     text        not null,                  -- file (+ byte offset) or imap:account/folder/uidvalidity/uid
    ledger_id           bigint      not null references ops.ingest_ledger (ledger_id),
    loaded_at           timestamptz not null default now()
);
create index email_message_id on core.email (message_id);
create index email_parent_id on core.email (parent_id);
create index email_thread_key_sent on core.email (thread_key, sent_at);
create index email_customer on core.email (customer_address, sent_at);
create index email_ledger on core.email (ledger_id);

-- A conversation: messages linked by Message-ID / In-Reply-To / References.
create table core.email_thread (
    thread_key              text        primary key,
    subject                 text,
    customer_address        text,                              -- first external party of the thread
    first_message_at        timestamptz not null,
    last_message_at         timestamptz not null,
    message_count           integer     not null,
    inbound_count           integer     not null,
    outbound_count          integer     not null,
    first_inbound_at        timestamptz,
    first_response_at       timestamptz,                       -- first outbound message after the first inbound one
    first_response_seconds  bigint,
    intents                 text[]      not null default '{}', -- union of the inbound messages' intents
    updated_at              timestamptz not null default now()
);
create index email_thread_customer on core.email_thread (customer_address);

-- Attachment contents, only when Crm:Email:StoreAttachmentContents is on (metadata is in core.email).
create table core.email_attachment (
    email_id      bigint      not null references core.email (email_id) on delete cascade,
    ordinal       integer     not null,
    file_name     text,
    content_type  text        not null,
    size_bytes    bigint      not null,
    content       bytea       not null,
    primary key (email_id, ordinal)
);

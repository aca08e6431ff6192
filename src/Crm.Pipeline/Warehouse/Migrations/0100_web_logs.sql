-- Website access logs (issue 5): file state for incremental reads, hits partitioned by month,
-- sessions, and the links from web visitors to customer identities.

-- One row per log file identity. A file is recognised by the SHA-256 of its first bytes
-- (head_length of them, decompressed), helped by device + inode for plain files, so a file
-- renamed by rotation (access.log → access.log.1 → access.log.2.gz) resumes where it was left,
-- and a truncated or replaced file starts a new identity. Updated in the same transaction as
-- the segment it records, so offset and rows never disagree.
create table ops.web_log_file (
    file_key        text        primary key,
    site            text        not null,
    head_sha256     text        not null,
    head_length     integer     not null,
    device          bigint,
    inode           bigint,
    last_path       text        not null,
    byte_offset     bigint      not null,   -- decompressed bytes consumed (complete lines only)
    line_count      bigint      not null,   -- lines consumed, for line numbers of later segments
    parser_state    text,                   -- e.g. W3C's current #Fields: line
    format          text        not null,
    first_seen      timestamptz not null default now(),
    updated_at      timestamptz not null default now()
);
create index web_log_file_site on ops.web_log_file (site, head_sha256);
create index web_log_file_inode on ops.web_log_file (site, device, inode);

-- Every hit (known bots included, flagged). Partitions (one per month, core.web_event_pYYYYMM)
-- are created by the loader when a segment brings a month not seen before.
create table core.web_event (
    site            text        not null,
    event_ts        timestamptz not null,
    visitor_key     text        not null,   -- c:<cookie> | u:<user id> | h:<hash of ip + user agent>
    ledger_id       bigint      not null,
    file_key        text        not null,
    byte_offset     bigint      not null,   -- of the line in the decompressed file
    client_ip       text,                   -- as the source's privacy mode leaves it
    user_id         text,
    method          text,
    path            text,
    query           text,
    status          smallint    not null,
    bytes           bigint,
    referrer        text,
    user_agent      text,
    browser         text,
    browser_version text,
    os              text,
    os_version      text,
    device          text,
    device_type     text,                   -- desktop | mobile | tablet | bot
    is_bot          boolean     not null,   -- known crawler by user agent
    is_page         boolean     not null,
    is_asset        boolean     not null,
    is_conversion   boolean     not null,
    utm_source      text,
    utm_medium      text,
    utm_campaign    text,
    utm_term        text,
    utm_content     text,
    tracking_token  text                    -- the email tracking parameter (crm_tid), raw
) partition by range (event_ts);
create index web_event_visitor on core.web_event (site, visitor_key, event_ts);

-- Sessions: 30 minutes of inactivity (configurable) end a visitor's session. Rebuilt set-based
-- for the visitors a segment touched, from their last session that new hits could extend.
create table core.web_session (
    site            text        not null,
    visitor_key     text        not null,
    session_start   timestamptz not null,
    session_end     timestamptz not null,
    session_key     text        not null,   -- md5(site|visitor|start), stable across reloads
    events          integer     not null,
    pages           integer     not null,
    assets          integer     not null,
    landing_page    text,
    exit_page       text,
    referrer        text,
    utm_source      text,
    utm_medium      text,
    utm_campaign    text,
    user_id         text,
    converted       boolean     not null,
    is_bot          boolean     not null,   -- known crawler or bot behaviour
    bot_reason      text,                   -- known crawler | robots.txt | no assets | request rate (comma-separated)
    updated_at      timestamptz not null default now(),
    primary key (site, visitor_key, session_start)
);
create index web_session_start on core.web_session (session_start);

-- A web visitor → a customer as a source knows it (core.source_customer keys): a login reveals
-- the order feed's customer id (source e.g. 'orders:shop'), an email tracking token reveals an
-- address (source 'email', source_customer_id = the lower-cased address).
create table core.web_visitor_link (
    visitor_key        text        not null,
    source             text        not null,
    source_customer_id text        not null,
    evidence           text        not null,   -- login | tracking_token
    first_seen         timestamptz not null,
    last_seen          timestamptz not null,
    primary key (visitor_key, source, source_customer_id)
);
create index web_visitor_link_customer on core.web_visitor_link (source, source_customer_id);

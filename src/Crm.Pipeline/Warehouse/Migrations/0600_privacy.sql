-- Privacy (issue 10): the right to be forgotten. `crm forget` erases a person and adds salted
-- hashes of their identifiers to ops.suppression; every ingester checks new records against it,
-- so re-loading old files or mailboxes does not bring the person back.

-- One random salt per warehouse, made here once. The hashes are worthless without it, and it
-- never leaves the database (a dump of ops.suppression alone reveals nothing guessable).
create table ops.privacy_salt (
    singleton  boolean     primary key default true check (singleton),
    salt       text        not null,
    created_at timestamptz not null default now()
);
insert into ops.privacy_salt (salt) values (replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''));

-- The hash of one identifier: kind is 'email' (lower-cased, trimmed address), 'phone' (the digits
-- of the number, E.164 without '+', and of each form it was seen in) or 'customer' (source '/' id,
-- e.g. 'orders:shop/C123').
create function ops.suppression_hash(kind text, value text) returns text
language sql stable parallel safe as $$
    select encode(sha256(convert_to(s.salt || '|' || kind || ':' || value, 'UTF8')), 'hex') from ops.privacy_salt s
$$;

-- Normalisations shared by forget and the ingesters (SQL side): must agree with each other.
create function ops.suppression_email(address text) returns text
language sql immutable parallel safe as $$ select nullif(lower(btrim(address)), '') $$;

create function ops.suppression_phone(phone text) returns text
language sql immutable parallel safe as $$
    select case when length(regexp_replace(phone, '\D', '', 'g')) >= 6 then regexp_replace(phone, '\D', '', 'g') end
$$;

create table ops.suppression (
    hash       text        primary key,
    kind       text        not null,               -- email | phone | customer
    forget_id  bigint,
    added_at   timestamptz not null default now()
);

-- Who erased whom, when, and how much: never the address or the name in clear.
create table ops.forget_audit (
    forget_id     bigint generated always as identity primary key,
    requested_by  text        not null,
    requested_at  timestamptz not null default now(),
    subject_kind  text        not null,             -- email | customer
    subject_hash  text        not null,             -- ops.suppression_hash of the subject
    customers     bigint[]    not null default '{}',
    identifiers   integer     not null default 0,   -- hashes added to ops.suppression
    counts        jsonb       not null default '{}' -- rows erased or redacted, per table
);

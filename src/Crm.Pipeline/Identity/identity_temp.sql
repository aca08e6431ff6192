create temp table id_clean (like identity.clean_record including defaults) on commit drop;
create temp table id_quarantine (unit_path text not null, reason text not null, raw_text text) on commit drop;
create temp table id_cleaned_key (source text not null, source_customer_id text not null) on commit drop;
create temp table id_golden (
    customer_id bigint not null, email text, customer_name text, phone text, address text, postcode text, country text,
    date_of_birth date, first_seen timestamptz, last_seen timestamptz, source_count integer not null) on commit drop;
create temp table id_assign (source text not null, source_customer_id text not null, customer_id bigint not null) on commit drop;
create temp table id_merged (customer_id bigint not null, merged_into bigint not null) on commit drop;
create temp table id_evidence (like identity.merge_evidence including defaults) on commit drop;
create temp table id_history (event text not null, customer_id bigint not null, related_customer_id bigint) on commit drop;
create temp table id_review (
    left_source text not null, left_id text not null, right_source text not null, right_id text not null,
    probability double precision not null, match_weight double precision not null, fields jsonb not null,
    left_record jsonb not null, right_record jsonb not null, left_customer_id bigint, right_customer_id bigint) on commit drop;

-- Thread lookups ask for "the first row with this Message-ID" (order by email_id limit 1):
-- with email_id in the index that is one probe, whatever the planner thinks of the table size.
drop index if exists core.email_message_id;
create index email_message_id_first on core.email (message_id, email_id);

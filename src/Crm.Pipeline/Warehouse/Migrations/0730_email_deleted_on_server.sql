-- A message expunged from its IMAP folder stays in the warehouse (its customer did write it); the sync
-- marks when it noticed the message gone. The index serves that check, one folder at a time.
alter table core.email add column deleted_on_server_at timestamptz;
create index email_imap_location on core.email (source_location text_pattern_ops) where source_kind = 'imap';

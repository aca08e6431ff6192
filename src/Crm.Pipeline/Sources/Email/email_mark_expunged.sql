-- Marks the messages loaded from one IMAP folder (at one UIDVALIDITY) that the server no longer holds.
-- @prefix is 'imap:account/folder/uidvalidity/' with LIKE wildcards escaped; @uids every UID the folder holds now.
update core.email
   set deleted_on_server_at = now()
 where source_kind = 'imap'
   and source_location like @pattern
   and deleted_on_server_at is null
   and not (substr(source_location, @start)::bigint = any (@uids));

-- The message went out: done, claim released.
update ops.notification
set status = 'sent', sent_at = now(), error = null, claimed_by = null, claimed_until = null, next_attempt_at = null
where notification_id = @id and claimed_by = @node;

-- The send failed: wait for the back-off and try again, or give up after the last attempt.
update ops.notification
set status = case when attempts >= @max_attempts then 'given-up' else 'failed' end,
    error = @error,
    next_attempt_at = case when attempts >= @max_attempts then null else now() + make_interval(secs => @backoff_seconds) end,
    claimed_by = null, claimed_until = null
where notification_id = @id and claimed_by = @node;

-- The send failed: record why; a transient failure waits for its back-off, a permanent one stays.
update ops.report_delivery
set status = @status, error = @error, transport = @transport,
    next_attempt_at = case when @status = 'failed' then now() + make_interval(secs => @backoff_seconds) end,
    claimed_by = null, claimed_until = null, updated_at = now()
where delivery_id = @delivery_id;

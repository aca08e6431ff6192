-- Take the delivery for this node, unless it is sent, given up, held by another node's unexpired
-- lease, or waiting for its back-off. Under concurrent claims the row lock serialises the updates
-- and the loser re-checks the condition against the winner's lease, so exactly one node wins.
update ops.report_delivery
set claimed_by = @node,
    claimed_until = now() + make_interval(secs => @lease_seconds),
    updated_at = now()
where delivery_id = @delivery_id
  and status in ('pending', 'failed')
  and (claimed_until is null or claimed_until < now())
  and (next_attempt_at is null or next_attempt_at <= now())
returning attempts;

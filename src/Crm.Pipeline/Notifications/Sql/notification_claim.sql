-- Takes the messages that are due for this node: pending, or failed and past their back-off, and not leased by
-- another node. SKIP LOCKED and the re-checked condition let exactly one node take each; the attempt is counted
-- before the send, so a crash mid-send still counts.
update ops.notification n
set claimed_by = @node,
    claimed_until = now() + make_interval(secs => @lease_seconds),
    attempts = n.attempts + 1
from ops.incident i
where i.incident_id = n.incident_id
  and n.notification_id in (
      select notification_id from ops.notification
      where status in ('pending', 'failed')
        and (next_attempt_at is null or next_attempt_at <= now())
        and (claimed_until is null or claimed_until < now())
      order by notification_id
      limit 50
      for update skip locked)
  and n.status in ('pending', 'failed')
  and (n.claimed_until is null or n.claimed_until < now())
returning n.notification_id, n.incident_id, n.event, n.channel, n.attempts, i.incident_key, i.title, i.detail, i.opened_at, i.resolved_at;

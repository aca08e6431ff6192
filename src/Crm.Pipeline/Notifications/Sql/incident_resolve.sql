-- Resolves every open incident whose condition no longer holds, with a resolve message for each channel its
-- opening went to.
with resolved as (
    update ops.incident set resolved_at = now()
    where resolved_at is null and not (incident_key = any(@active::text[]))
    returning incident_id
)
insert into ops.notification (incident_id, event, channel)
select n.incident_id, 'resolve', n.channel
from ops.notification n join resolved r on r.incident_id = n.incident_id
where n.event = 'open'
on conflict (incident_id, event, channel) do nothing;

-- Opens the incident of @key unless one is open, with one pending notification per channel. A second node or a
-- restart finds the open row and adds nothing.
with opened as (
    insert into ops.incident (incident_key, title, detail)
    values (@key, @title, @detail)
    on conflict (incident_key) where resolved_at is null do nothing
    returning incident_id
)
insert into ops.notification (incident_id, event, channel)
select o.incident_id, 'open', c from opened o cross join unnest(@channels::text[]) as c
on conflict (incident_id, event, channel) do nothing;

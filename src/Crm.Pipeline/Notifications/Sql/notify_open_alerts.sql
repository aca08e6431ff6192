-- Alerts a stage raised that nobody resolved yet (info is for the dashboard only).
select id, source, severity, message, raised_at
from ops.alert
where resolved_at is null and severity in ('warning', 'error')
order by id;

-- An alert a stage raises again while it is still open is not inserted twice (Jobs/Alerts.cs); seen_at records
-- that it was raised again. A stage attempt that succeeds without raising an open alert of its own again has seen
-- its condition pass, and resolves it (Jobs/stage_finish.sql), which resolves its incident and tells the admins
-- (Notifications). Null on alerts raised once.
alter table ops.alert add column seen_at timestamptz;

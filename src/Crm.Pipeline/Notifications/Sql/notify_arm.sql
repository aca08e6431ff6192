-- When a check was first armed (now, the first time it is asked).
with ins as (
    insert into ops.watch_armed (check_name) values (@name)
    on conflict (check_name) do nothing
    returning armed_at
)
select armed_at from ins
union all
select armed_at from ops.watch_armed where check_name = @name and not exists (select 1 from ins);

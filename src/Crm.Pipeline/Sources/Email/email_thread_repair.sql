-- One pass of thread repair: a message whose parent sits in another thread moves to the
-- parent's thread (replies that carry only In-Reply-To, or arrive before their parent).
-- The caller repeats until nothing moves; both old and new keys are recomputed afterwards.
with candidates as (
    select c.email_id, c.thread_key as old_key, p.thread_key as new_key
      from core.email c
      join lateral (select e.thread_key from core.email e where e.message_id = c.parent_id order by e.email_id limit 1) p on true
     where c.parent_id is not null
       and c.thread_key <> p.thread_key
       and (c.thread_key in (select thread_key from email_touched)
            or c.parent_id in (select e.message_id from core.email e join email_touched t on t.thread_key = e.thread_key where e.message_id is not null))
), moved as (
    update core.email e set thread_key = c.new_key from candidates c where e.email_id = c.email_id
    returning c.old_key, c.new_key
), keys as (
    insert into email_touched select old_key from moved union select new_key from moved on conflict do nothing
)
select count(*) from moved;

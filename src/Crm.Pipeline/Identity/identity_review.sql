-- The review queue after a run: pending items are added or refreshed (a decided pair is never
-- touched, and the matcher does not hold it again: its decision is a manual link or split). A full
-- run saw every pair, so pending items it no longer holds are gone (the data changed, or other
-- links joined the two records); a delta run saw only the pairs touching its delta.

delete from ops.identity_review r
 where @full and r.status = 'pending'
   and not exists (select 1 from id_review n
                    where n.left_source = r.left_source and n.left_id = r.left_id
                      and n.right_source = r.right_source and n.right_id = r.right_id);

insert into ops.identity_review as r (left_source, left_id, right_source, right_id, probability, match_weight, fields,
                                      left_record, right_record, left_customer_id, right_customer_id, run_id)
select left_source, left_id, right_source, right_id, probability, match_weight, fields,
       left_record, right_record, left_customer_id, right_customer_id, @run_id
  from id_review
on conflict (left_source, left_id, right_source, right_id) do update set
    probability = excluded.probability, match_weight = excluded.match_weight, fields = excluded.fields,
    left_record = excluded.left_record, right_record = excluded.right_record,
    left_customer_id = excluded.left_customer_id, right_customer_id = excluded.right_customer_id,
    run_id = excluded.run_id, updated_at = now()
where r.status = 'pending'
  and (r.probability, r.match_weight, r.fields, r.left_record, r.right_record, r.left_customer_id, r.right_customer_id)
      is distinct from
      (excluded.probability, excluded.match_weight, excluded.fields, excluded.left_record, excluded.right_record,
       excluded.left_customer_id, excluded.right_customer_id);

-- A full run recomputes every link: evidence for pairs it no longer links goes.
delete from identity.merge_evidence e
 where not exists (select 1 from id_evidence x
                    where x.left_source = e.left_source and x.left_id = e.left_id
                      and x.right_source = e.right_source and x.right_id = e.right_id);

-- An admin's decision on a pending review item: merge = a manual link, keep apart = a manual split,
-- recorded with who decided, and bound to every later run through identity.manual_decision.
-- Returns no row when the item is not pending (decided meanwhile by someone else, or gone).
with item as (
    select review_id, left_source, left_id, right_source, right_id
      from ops.identity_review
     where review_id = @review_id and status = 'pending'
       for update
), decision as (
    insert into identity.manual_decision (decision, left_source, left_id, right_source, right_id, reason, decided_by)
    select @decision, left_source, left_id, right_source, right_id, 'review item ' || review_id, @decided_by from item
    returning decision_id
)
update ops.identity_review r
   set status = @status, decision_id = d.decision_id, decided_by = @decided_by, decided_at = now(), updated_at = now()
  from decision d, item i
 where r.review_id = i.review_id
returning r.review_id;

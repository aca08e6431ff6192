-- One more send attempt, counted before the attempt so a crash mid-send is still counted.
update ops.report_delivery
set attempts = attempts + 1, subject = coalesce(@subject, subject), updated_at = now()
where delivery_id = @delivery_id and claimed_by = @node
returning attempts;

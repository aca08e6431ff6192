-- The message went out: keep it for the archive and release the claim.
update ops.report_delivery
set status = 'sent', sent_at = now(), error = null, transport = @transport, subject = @subject,
    html = @html, eml = @eml, eml_path = @eml_path, html_path = @html_path,
    claimed_by = null, claimed_until = null, next_attempt_at = null, updated_at = now()
where delivery_id = @delivery_id;

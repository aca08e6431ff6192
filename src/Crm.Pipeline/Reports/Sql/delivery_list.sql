-- The archive: deliveries newest first, without the stored bodies.
select delivery_id, report, period_key, recipient, recipient_name, status, attempts, message_id, transport,
       subject, sent_at, error, resend_of, requested_by, eml_path, html_path, created_at
from ops.report_delivery
order by coalesce(sent_at, created_at) desc, delivery_id desc
limit @limit;

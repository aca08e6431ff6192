-- An admin's resend: a new delivery row pointing at the original, with its own Message-ID.
insert into ops.report_delivery
    (report, period_key, period_start, period_end, recipient, recipient_name, language, message_id,
     resend_of, requested_by, subject, claimed_by, claimed_until)
select report, period_key, period_start, period_end, recipient, recipient_name, language, @message_id,
       delivery_id, @requested_by, subject, @node, now() + make_interval(secs => @lease_seconds)
from ops.report_delivery
where delivery_id = @original_id and status = 'sent'
returning delivery_id, (select eml from ops.report_delivery where delivery_id = @original_id), message_id;

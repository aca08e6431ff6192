-- The exactly-once guard: create the delivery row of (report, period, recipient) if it is not
-- there yet, and return it either way. Concurrent callers all get the one row.
with ins as (
    insert into ops.report_delivery
        (report, period_key, period_start, period_end, recipient, recipient_name, language, message_id, due_at)
    values (@report, @period_key, @period_start, @period_end, @recipient, @recipient_name, @language, @message_id, @due_at)
    on conflict (report, period_key, recipient) where resend_of is null do nothing
    returning delivery_id, status, attempts, sent_at, error, next_attempt_at, claimed_until, eml_path, html_path
)
select delivery_id, status, attempts, sent_at, error, next_attempt_at, claimed_until, eml_path, html_path from ins
union all
select delivery_id, status, attempts, sent_at, error, next_attempt_at, claimed_until, eml_path, html_path
from ops.report_delivery
where report = @report and period_key = @period_key and recipient = @recipient and resend_of is null
  and not exists (select 1 from ins);

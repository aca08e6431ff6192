-- Turns the tracking-token links of visitors (source 'tracking', id = the raw crm_tid) whose
-- token is in a campaign send log into links to the address it was sent to (source 'campaign_sends',
-- the recipient record the send log loader keeps in core.source_customer).
-- Run after a segment brings tokens and after a send log brings tokens, so the order in which
-- logs and send logs arrive does not matter. Idempotent: reruns only widen first/last seen.
insert into core.web_visitor_link as l (visitor_key, source, source_customer_id, evidence, first_seen, last_seen)
select t.visitor_key, 'campaign_sends', c.email, 'tracking_token', min(t.first_seen), max(t.last_seen)
  from core.web_visitor_link t
  join core.campaign_send c on c.tracking_token = t.source_customer_id
 where t.source = 'tracking' and t.source_customer_id = any(@tokens::text[])
 group by t.visitor_key, c.email
on conflict (visitor_key, source, source_customer_id) do update
   set first_seen = least(l.first_seen, excluded.first_seen),
       last_seen = greatest(l.last_seen, excluded.last_seen);

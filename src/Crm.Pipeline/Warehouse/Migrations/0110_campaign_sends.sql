-- Email campaign send logs (issue 5): the email tool's export of who was sent which tracking
-- token. A clicked link carries only the opaque token (crm_tid); this table resolves it to the
-- address, so the visitor who clicked is linked to that email identity.
create table core.campaign_send (
    tracking_token  text        primary key,
    email           text        not null,   -- lower-cased, the key core.customer_identity uses for source 'email'
    campaign        text,
    sent_at         timestamptz,
    ledger_id       bigint      not null
);
create index campaign_send_email on core.campaign_send (email);

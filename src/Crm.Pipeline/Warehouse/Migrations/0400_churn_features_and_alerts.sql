-- Churn, CLV and segments (issue 8): the point-in-time feature table and visible operational alerts.

-- One row per golden customer per cutoff date, computed only from facts before the cutoff
-- (order_ts, session start, email date < cutoff). Web and email columns are null when those
-- sources are not in the warehouse. Re-running a cutoff replaces its rows.
create table ml.customer_features (
    cutoff                     date        not null,
    customer_id                bigint      not null,
    recency_days               double precision,     -- days from the last purchase to the cutoff
    tenure_days                double precision,     -- days from the first purchase to the cutoff
    orders_30                  double precision,
    orders_90                  double precision,
    orders_365                 double precision,
    orders_all                 double precision,
    monetary_30                double precision,
    monetary_90                double precision,
    monetary_365               double precision,
    monetary_all               double precision,
    avg_order_value            double precision,
    orders_prev_90             double precision,     -- orders 90–180 days before the cutoff (trend)
    avg_interpurchase_days     double precision,
    last_interpurchase_days    double precision,
    interpurchase_trend        double precision,     -- last gap / mean gap (> 1: slowing down)
    returned_lines             double precision,
    cancelled_lines            double precision,
    return_rate                double precision,
    distinct_skus              double precision,     -- basket diversity
    lines_per_order            double precision,
    web_sessions_30            double precision,
    web_sessions_90            double precision,
    web_pages_90               double precision,
    web_product_views_90       double precision,
    web_cart_abandon_90        double precision,
    web_days_since_visit       double precision,
    web_visit_trend            double precision,     -- sessions in the last 30 days / (sessions 31–90 days before / 2)
    email_complaints_365       double precision,
    email_cancel_requests_365  double precision,
    email_unanswered_threads   double precision,
    email_avg_response_hours   double precision,
    email_days_since_contact   double precision,
    bgnbd_p_alive              double precision,     -- BG/NBD fitted on the same cutoff
    bgnbd_p_no_purchase        double precision,     -- BG/NBD P(no purchase in the churn horizon): the baseline model
    computed_at                timestamptz not null default now(),
    primary key (cutoff, customer_id)
);
create index customer_features_customer on ml.customer_features (customer_id, cutoff);

-- Alerts an admin must see (dashboard, reports): a corrupt model artifact, a rejected challenger, …
create table ops.alert (
    id           bigint generated always as identity primary key,
    raised_at    timestamptz not null default now(),
    source       text        not null,               -- the stage or component raising it
    severity     text        not null,               -- info | warning | error
    message      text        not null,
    resolved_at  timestamptz
);
create index alert_open on ops.alert (raised_at) where resolved_at is null;

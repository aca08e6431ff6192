-- Churn features that say how a customer's behaviour is changing (issue 22): spend trend, purchase
-- regularity and how overdue the next order is, web visits and campaign clicks since the last order,
-- campaign click rate and the sentiment of the customer's own mail. Null until a cutoff is rebuilt.
alter table ml.customer_features
    add column spend_trend              double precision,  -- (spend 0–180 d − spend 180–360 d) / their sum; 0 when both are 0
    add column interpurchase_cv         double precision,  -- stddev / mean of the gaps between orders (null below two gaps)
    add column recency_gap_ratio        double precision,  -- days since the last order / mean gap (> 1: overdue)
    add column web_sessions_since_order double precision,  -- human sessions since the last order before the cutoff
    add column web_campaign_clicks_90   double precision,  -- sessions that landed from a campaign link (utm_campaign) in 90 days
    add column campaign_sends_365       double precision,  -- campaign mails sent to the customer's addresses in 365 days
    add column campaign_click_rate_365  double precision,  -- campaign landings / campaign mails in 365 days (null without mails)
    add column email_sentiment_365      double precision;  -- mean lexicon sentiment of the customer's own mail in 365 days, −1..1

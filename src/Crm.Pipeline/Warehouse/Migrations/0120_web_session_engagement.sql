-- What a session did that the churn features count (issue 8), kept with the session so the feature
-- build does not read every hit of the last 90 days once per cutoff: product page views and
-- whether it reached a cart or basket page (Sources/WebLogs/WebEngagement.cs defines both; the
-- sessionizer and weblog_sessionize.sql compute them). Null for sessions written before this
-- migration: the feature build counts those from core.web_event, as it did before.
alter table core.web_session
    add column product_views integer,
    add column carted        boolean;

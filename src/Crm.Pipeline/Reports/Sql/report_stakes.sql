-- Shared by the at-risk list, the risk bands and the segment stakes (ReportQueries puts it after
-- report_scoped_orders.sql): the golden customers in scope, and each one's latest churn score and latest CLV
-- as of @asof. A query that does not use a CTE of it costs nothing: PostgreSQL skips unreferenced CTEs.
, scope_customers as (
    select distinct customer_id from o where customer_id is not null
),
score as (
    select distinct on (customer_id) customer_id, probability, risk_band, top_drivers, scored_at
    from ml.churn_score
    where scored_at <= @asof
    order by customer_id, scored_at desc
),
value as (
    select distinct on (customer_id) customer_id, clv
    from ml.customer_value
    where computed_at <= @asof
    order by customer_id, computed_at desc
)

using Crm.IntegrationTests.Infrastructure;
using Crm.Pipeline.Reports;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Crm.IntegrationTests.Reports;

/// <summary>
/// A small, hand-made warehouse for the report tests: six golden customers of feed 'shop' with orders
/// around February 2026, one unmapped order, churn scores, CLV, segments, ledger rows, a failed stage
/// and two churn models. Inserted with plain SQL, as the other stages would have written it.
/// </summary>
public static class ReportWarehouse
{
    /// <summary>"Now" for the tests: Monday 2 March 2026, 09:00 UTC — the February report is due (1 March is a Sunday).</summary>
    public static readonly DateTimeOffset Now = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    public static async Task FillAsync(NpgsqlDataSource ds)
    {
        await ds.ExecuteAsync(
            """
            insert into core.customer (customer_id, email, customer_name, region) values
              (1, 'ann@example.com', 'Ann Archer', 'EU'),
              (2, 'bob@example.com', 'Bob Baker', 'US'),
              (3, 'cy@example.com', 'Cy Cole', 'EU'),
              (4, 'dee@example.com', 'Dee, "the" Dean', 'US'),
              (5, 'eve@example.com', 'Eve Evans', 'US'),
              (6, 'fay@example.com', 'Fay Fox', 'EU');
            insert into core.customer_identity (source, source_customer_id, customer_id)
            select 'orders:shop', 'c' || customer_id, customer_id from core.customer;
            insert into core."order" (feed, order_id, order_ts, source_customer_id, currency, status, line_count, total_amount, ledger_id) values
              ('shop', 'o1', '2025-12-10 10:00+00', 'c1', 'USD', 'ordered', 1, 100, 1),
              ('shop', 'o2', '2026-02-05 10:00+00', 'c1', 'USD', 'ordered', 1, 200, 1),
              ('shop', 'o3', '2025-11-20 10:00+00', 'c2', 'USD', 'ordered', 1, 50, 1),
              ('shop', 'o4', '2026-02-14 10:00+00', 'c3', 'USD', 'ordered', 1, 300, 1),
              ('shop', 'o5', '2026-01-15 10:00+00', 'c4', 'USD', 'ordered', 1, 80, 1),
              ('shop', 'o6', '2025-02-10 10:00+00', 'c5', 'USD', 'ordered', 1, 120, 1),
              ('shop', 'o7', '2026-02-20 10:00+00', 'c5', 'USD', 'cancelled', 1, 40, 1),
              ('shop', 'o8', '2026-01-20 10:00+00', 'c6', 'USD', 'ordered', 1, 60, 1),
              ('shop', 'o9', '2026-02-25 10:00+00', 'c6', 'USD', 'ordered', 1, 70, 1),
              ('shop', 'o10', '2026-02-10 10:00+00', 'nobody', 'USD', 'ordered', 1, 25, 1),
              ('shop', 'o11', '2025-02-03 10:00+00', 'c2', 'USD', 'ordered', 1, 90, 1),
              ('shop', 'o12', '2026-01-05 10:00+00', 'c3', 'USD', 'returned', 1, 15, 1);
            insert into ml.churn_score (customer_id, scored_at, model_version, probability, risk_band, top_drivers) values
              (1, '2026-03-01 02:00+00', 'm2', 0.20, 'low', '[{"feature":"recency_days","value":24,"contribution":0.1,"direction":"up"}]'),
              (2, '2026-03-01 02:00+00', 'm2', 0.90, 'high', '[{"feature":"recency_days","value":100,"contribution":0.6,"direction":"up"},{"feature":"email_opens","value":0,"contribution":0.2,"direction":"up"},{"feature":"tenure","value":400,"contribution":-0.1,"direction":"down"}]'),
              (3, '2026-03-01 02:00+00', 'm2', 0.35, 'medium', null),
              (4, '2026-03-01 02:00+00', 'm2', 0.60, 'high', '[{"feature":"orders_90d","value":1,"contribution":0.3,"direction":"up"}]'),
              (4, '2026-02-01 02:00+00', 'm1', 0.10, 'low', null),
              (6, '2026-03-01 02:00+00', 'm2', 0.05, 'low', null);
            insert into ml.customer_value (customer_id, computed_at, p_alive, expected_purchases, expected_avg_value, clv, horizon_days) values
              (1, '2026-03-01 03:00+00', 0.9, 2, 150, 400, 365),
              (2, '2026-03-01 03:00+00', 0.2, 0.5, 60, 100, 365),
              (3, '2026-03-01 03:00+00', 0.8, 1, 300, 500, 365),
              (4, '2026-03-01 03:00+00', 0.6, 1, 80, 300, 365),
              (6, '2026-03-01 03:00+00', 0.9, 2, 65, 250, 365),
              (1, '2026-02-01 03:00+00', 0.9, 2, 150, 350, 365);
            insert into ml.customer_segment (customer_id, as_of, scheme, segment) values
              (1, '2026-03-01', 'rfm', 'Champions'), (2, '2026-03-01', 'rfm', 'At risk'), (3, '2026-03-01', 'rfm', 'New'),
              (4, '2026-03-01', 'rfm', 'Loyal'), (6, '2026-03-01', 'rfm', 'Loyal'), (6, '2026-01-01', 'rfm', 'New');
            insert into ops.ingest_ledger (source, unit_key, read_count, loaded_count, quarantined_count, duplicate_count, loaded_at) values
              ('orders', 'shop:a.csv', 12, 11, 1, 0, now() - interval '3 hours'),
              ('weblogs', 'site:access.log', 1000, 990, 7, 3, now() - interval '5 days');
            insert into ops.pipeline_run (run_id, kind) values ('00000000-0000-0000-0000-000000000001', 'nightly');
            insert into ops.pipeline_stage (run_id, stage, status, started_at, finished_at, error)
            values ('00000000-0000-0000-0000-000000000001', 'identity', 'failed', now() - interval '1 day', now() - interval '1 day', 'deadlock detected');
            insert into ml.model (kind, version, trainer, metrics, status, created_at, promoted_at) values
              ('churn', 'm1', 'FastTree', '{"auc": 0.71}', 'retired', '2026-01-01', '2026-01-02'),
              ('churn', 'm2', 'LightGbm', '{"auc": 0.78}', 'champion', '2026-02-20', '2026-02-21');
            """);
    }

    public static ReportsOptions Options(string? smtpHost = null, int port = 25, string? outbox = null, params RecipientOptions[] recipients) => new()
    {
        AsOf = Now,
        Recipients = recipients.Length > 0 ? [.. recipients] : [Manager()],
        Smtp = new SmtpOptions { Host = smtpHost, Port = port, Security = "none", From = "reports@crm.test" },
        Outbox = outbox ?? Path.Combine(Path.GetTempPath(), "crm-outbox-" + Guid.NewGuid().ToString("N")[..8]),
        RetryDelaySeconds = 0.05,
        NextRunBackoffMinutes = 0,
        AttemptsPerRun = 2,
    };

    public static RecipientOptions Manager(string address = "maria@crm.test", string language = "en") => new()
    {
        Name = "Maria",
        Address = address,
        TimeZone = "UTC",
        Cadence = "monthly",
        DayOfMonth = 1,
        Hour = 8,
        Language = language,
    };

    public static ReportService Service(NpgsqlDataSource ds, ReportsOptions options) =>
        new(ds, new FixedOptions<ReportsOptions>(options), NullLogger<ReportService>.Instance);
}

using System.Diagnostics;
using Crm.Pipeline.Reports;
using Npgsql;

namespace Crm.Bench;

/// <summary>
/// One manager report over a synthetic warehouse of N customers (about 4.5 orders each, two years): the
/// warehouse reads (every figure, 24 trend periods, segments, at-risk list, health) and the composition
/// (four charts, HTML, text, CSV, MIME), beside a baseline measured in the same run: one aggregate scan of
/// all orders joined to their golden customers — the least any report over that data must do.
/// </summary>
internal static class ReportsBenchmark
{
    public static async Task<int> RunAsync(int customers)
    {
        await using var env = await BenchEnvironment.StartAsync();
        await using var ds = await env.CreateDatabaseAsync("bench_reports");
        var fill = Stopwatch.StartNew();
        await using (var command = ds.CreateCommand(
            """
            insert into core.customer (customer_id, customer_name, email, region)
            select g, 'Customer ' || g, 'c' || g || '@x.test', (array['Europe','North America','Asia Pacific'])[1 + g % 3]
            from generate_series(1, @n) g;
            insert into core.customer_identity (source, source_customer_id, customer_id)
            select 'orders:bench', 'c' || g, g from generate_series(1, @n) g;
            insert into core."order" (feed, order_id, order_ts, source_customer_id, currency, status, line_count, total_amount, ledger_id)
            select 'bench', 'o' || g || '-' || k, timestamptz '2025-01-01' + random() * interval '730 days', 'c' || g, 'USD',
                   case when random() < 0.03 then 'cancelled' else 'ordered' end, 1, round((10 + random() * 200)::numeric, 2), 0
            from generate_series(1, @n) g, generate_series(1, 1 + g % 8) k;
            insert into ml.churn_score (customer_id, scored_at, model_version, probability, risk_band, top_drivers)
            select g, '2026-12-31', 'b1', p, case when p >= 0.6 then 'high' when p >= 0.3 then 'medium' else 'low' end,
                   '[{"feature":"recency_days","contribution":0.4,"direction":"up"},{"feature":"orders_90d","contribution":0.2,"direction":"up"}]'
            from (select g, random() as p from generate_series(1, @n) g) s;
            insert into ml.customer_value (customer_id, computed_at, clv, horizon_days)
            select g, '2026-12-31', 50 + random() * 900, 365 from generate_series(1, @n) g;
            insert into ml.customer_segment (customer_id, as_of, scheme, segment)
            select g, '2026-12-31', 'rfm', (array['Champions','Loyal','Promising','At risk','Hibernating'])[1 + g % 5] from generate_series(1, @n) g;
            insert into ml.model (kind, version, trainer, metrics, status, promoted_at) values ('churn', 'b1', 'FastTree', '{"auc":0.8}', 'champion', '2026-12-01');
            analyze;
            """))
        {
            command.Parameters.AddWithValue("n", customers);
            await command.ExecuteNonQueryAsync();
        }

        var orders = await Scalar(ds, "select count(*) from core.\"order\"");
        Console.WriteLine($"reports: {customers:N0} customers, {orders:N0} orders (filled in {fill.Elapsed.TotalSeconds:0.0} s)");

        var options = new ReportsOptions { AsOf = new DateTimeOffset(2027, 1, 4, 12, 0, 0, TimeSpan.Zero) };
        var recipient = new RecipientOptions { Name = "Bench", Address = "bench@x.test", TimeZone = "UTC", Cadence = "monthly", Hour = 8 };
        var period = new ReportSchedule(options.Calendar).LatestDue(recipient, options.AsOf.Value);
        var queries = new ReportQueries(ds, options);

        // Warm-up of both, then two timed rounds each; the best round counts.
        var baseline = double.MaxValue;
        var read = double.MaxValue;
        var compose = double.MaxValue;
        ReportData? data = null;
        var size = 0L;
        for (var round = 0; round < 3; round++)
        {
            var w = Stopwatch.StartNew();
            await Scalar(ds, "select sum(o.total_amount) from core.\"order\" o join core.customer_identity ci on ci.source = 'orders:' || o.feed and ci.source_customer_id = o.source_customer_id where o.status = 'ordered'");
            var b = w.Elapsed.TotalMilliseconds;
            w.Restart();
            data = await queries.ReadAsync(recipient, period, options.AsOf.Value, DateTimeOffset.UtcNow, CancellationToken.None);
            var r = w.Elapsed.TotalMilliseconds;
            w.Restart();
            var composed = ReportComposer.Compose(data, options, ReportComposer.MessageId(options.ReportName, period.Key, recipient.Address, options.Smtp.From));
            using var bytes = new MemoryStream();
            await composed.Message.WriteToAsync(bytes);
            var c = w.Elapsed.TotalMilliseconds;
            size = bytes.Length;
            if (round > 0)
            {
                baseline = Math.Min(baseline, b);
                read = Math.Min(read, r);
                compose = Math.Min(compose, c);
            }
        }

        Console.WriteLine($"  period {period.Key}: revenue {data!.Current.Revenue:N0}, active {data.Current.ActiveCustomers:N0}, churn rate {data.Current.ChurnRate:P1}");
        Console.WriteLine($"  baseline (one scan of orders → customers): {baseline,9:N0} ms");
        Console.WriteLine($"  report warehouse reads:                    {read,9:N0} ms  = {read / baseline:0.0}× baseline");
        Console.WriteLine($"  compose (4 charts, HTML, text, CSV, MIME): {compose,9:N0} ms  = {compose / baseline:0.0}× baseline; message {size / 1024.0:N0} KiB");

        // The reports stage as the service runs it (claim, read, compose, write to an outbox, mark sent)
        // for one recipient and for fifty of the same scope, each on an empty delivery table.
        var one = await StageAsync(ds, options, 1);
        var fifty = await StageAsync(ds, options, 50);
        Console.WriteLine($"  reports stage, 1 recipient:                {one,9:N0} ms");
        Console.WriteLine($"  reports stage, 50 recipients:              {fifty,9:N0} ms  = {fifty / one:0.0}× one recipient (target ≤ 2)");
        Console.WriteLine($"  peak memory: {BenchEnvironment.PeakMemoryMiB():N0} MiB");
        BenchReport.Add("reports.customers", customers);
        BenchReport.Add("reports.orders", orders);
        BenchReport.Add("reports.baseline_ms", baseline);
        BenchReport.Add("reports.read_ms", read);
        BenchReport.Add("reports.compose_ms", compose);
        BenchReport.Add("reports.stage_1_recipient_ms", one);
        BenchReport.Add("reports.stage_50_recipients_ms", fifty);
        BenchReport.Add("reports.ratio_50_to_1", fifty / one);
        BenchReport.Add("reports.peak_working_set_mib", BenchEnvironment.PeakMemoryMiB());
        return 0;
    }

    private static async Task<double> StageAsync(NpgsqlDataSource ds, ReportsOptions template, int recipients)
    {
        var outbox = Directory.CreateTempSubdirectory("crm-bench-reports-").FullName;
        try
        {
            await Scalar(ds, "with d as (delete from ops.report_delivery returning 1) select count(*) from d");
            var options = new ReportsOptions { AsOf = template.AsOf, Outbox = outbox };
            for (var i = 0; i < recipients; i++)
            {
                options.Recipients.Add(new RecipientOptions { Name = $"Manager {i}", Address = $"m{i}@x.test", TimeZone = "UTC", Cadence = "monthly", Hour = 8 });
            }

            var service = new ReportService(ds, new FixedOptions<ReportsOptions>(options), Microsoft.Extensions.Logging.Abstractions.NullLogger<ReportService>.Instance);
            var watch = Stopwatch.StartNew();
            var summary = await service.RunAsync(CancellationToken.None);
            var ms = watch.Elapsed.TotalMilliseconds;
            if (summary.Sent != recipients)
            {
                throw new InvalidOperationException($"reports stage with {recipients} recipient(s): {summary}");
            }

            return ms;
        }
        finally
        {
            Directory.Delete(outbox, recursive: true);
        }
    }

    private sealed class FixedOptions<T>(T value) : Microsoft.Extensions.Options.IOptionsMonitor<T>
    {
        public T CurrentValue => value;

        public T Get(string? name) => value;

        public IDisposable? OnChange(Action<T, string?> listener) => null;
    }

    private static async Task<long> Scalar(NpgsqlDataSource ds, string sql)
    {
        await using var command = ds.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}

using System.Globalization;
using System.Text.RegularExpressions;
using Crm.IntegrationTests.Dashboard;
using Crm.IntegrationTests.Infrastructure;
using Npgsql;

namespace Crm.IntegrationTests.Monitoring;

/// <summary>
/// Issue 19: every metric the Prometheus rules (<c>deploy/prometheus/crm-rules.yml</c>) and the Grafana dashboard
/// (<c>deploy/grafana/*.json</c>) name is exported by a running dashboard at <c>/metrics</c>, with the values the
/// seeded warehouse gives.
/// </summary>
[Collection(HostCollection.Name)]
public sealed partial class MetricsExportTests(PostgresCluster cluster) : IAsyncLifetime
{
    private readonly DateOnly _today = DateOnly.FromDateTime(DateTime.UtcNow);
    private DashboardHost _host = null!;

    public async Task InitializeAsync() => _host = await DashboardHost.StartAsync(cluster, "metrics", s =>
    {
        // The nightly fires at 02:00 UTC; its calendar excludes today and yesterday, so it was last due the day before.
        s["Crm:Schedules:0:Name"] = "nightly";
        s["Crm:Schedules:0:Job"] = "nightly";
        s["Crm:Schedules:0:Cron"] = "0 0 2 * * ?";
        s["Crm:Schedules:0:TimeZone"] = "UTC";
        s["Crm:Schedules:0:ExcludedDates:0"] = _today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        s["Crm:Schedules:0:ExcludedDates:1"] = _today.AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    });

    public Task DisposeAsync() => _host.DisposeAsync().AsTask();

    [Fact]
    public async Task EveryMetricTheRulesAndTheGrafanaDashboardName_IsExported_WithTheWarehousesValues()
    {
        await using var ds = NpgsqlDataSource.Create(_host.ConnectionString);
        await ds.ExecuteAsync(
            """
            insert into ops.pipeline_run (run_id, kind, status, started_at, finished_at) values
              ('00000000-0000-0000-0000-000000000001', 'nightly', 'succeeded', '2026-11-01T02:00:00Z', '2026-11-01T02:10:00Z'),
              ('00000000-0000-0000-0000-000000000002', 'nightly', 'failed',    '2026-11-02T02:00:00Z', '2026-11-02T02:05:00Z'),
              ('00000000-0000-0000-0000-000000000003', 'manual',  'succeeded', '2026-11-02T09:00:00Z', '2026-11-02T09:01:00Z');
            insert into ops.pipeline_stage (run_id, stage, status, started_at, finished_at) values
              ('00000000-0000-0000-0000-000000000001', 'orders', 'succeeded', '2026-11-01T02:00:00Z', '2026-11-01T02:00:12Z'),
              ('00000000-0000-0000-0000-000000000002', 'orders', 'failed', '2026-11-02T02:00:00Z', '2026-11-02T02:00:30Z');
            insert into ops.pipeline_stage (run_id, stage, status, started_at, finished_at)
              select '00000000-0000-0000-0000-000000000003', 'identity', 'failed', now() - interval '1 hour', now() - interval '59 minutes';
            insert into ops.ingest_ledger (source, unit_key, read_count, loaded_count, quarantined_count, loaded_at) values
              ('orders', 'shop:a.csv', 103, 100, 3, '2026-11-01T02:00:05Z'),
              ('orders', 'shop:b.csv', 7, 0, 7, '2026-11-04T02:00:05Z'),
              ('weblogs', 'www:access.log', 5000, 4990, 10, '2026-11-02T02:00:07Z');
            insert into ops.alert (source, severity, message) values ('churn', 'error', 'AUC fell'), ('churn', 'info', 'retrained');
            insert into ops.incident (incident_key, title) values ('silence:orders', 'No new orders rows for 1d');
            insert into ops.notification (incident_id, event, channel, status)
              select incident_id, 'open', 'email:ops@example.com', 'given-up' from ops.incident;
            """);
        using var client = DashboardClient.Create(_host.BaseUrl, out _);

        var samples = Parse(await client.GetStringAsync("/metrics"));

        var files = Directory.GetFiles(Path.Combine(TestData.RepositoryRoot, "deploy", "prometheus"), "crm-rules.yml")
            .Concat(Directory.GetFiles(Path.Combine(TestData.RepositoryRoot, "deploy", "grafana"), "*.json"))
            .ToList();
        var named = files.SelectMany(f => MetricName().Matches(File.ReadAllText(f)).Select(m => (File: Path.GetFileName(f), Metric: m.Value)))
            .Distinct().ToList();
        Assert.Contains(named, n => n.File.EndsWith(".json", StringComparison.Ordinal));
        Assert.True(named.Count >= 10, string.Join(", ", named));
        var exported = samples.Keys.Select(k => k.Split('{')[0]).ToHashSet(StringComparer.Ordinal);
        Assert.All(named, n => Assert.True(exported.Contains(n.Metric), $"{n.File} names {n.Metric}, which /metrics does not export"));

        Assert.Equal(1, samples["crm_run_last_failed{kind=\"nightly\"}"]);
        Assert.Equal(0, samples["crm_run_last_failed{kind=\"manual\"}"]);
        Assert.Equal(Epoch("2026-11-02T02:00:00Z"), samples["crm_run_last_start_timestamp_seconds{kind=\"nightly\"}"]);
        Assert.Equal(Epoch("2026-11-01T02:10:00Z"), samples["crm_run_last_success_timestamp_seconds{kind=\"nightly\"}"]);
        // The unit of 4 November loaded nothing: the last load is the one of 1 November.
        Assert.Equal(Epoch("2026-11-01T02:00:05Z"), samples["crm_source_last_load_timestamp_seconds{source=\"orders\"}"]);
        Assert.Equal(110, samples["crm_source_rows_total{source=\"orders\",kind=\"read\"}"]);
        Assert.Equal(10, samples["crm_source_rows_total{source=\"orders\",kind=\"quarantined\"}"]);
        Assert.Equal(1, samples["crm_alerts_open{severity=\"error\"}"]);
        Assert.Equal(0, samples["crm_alerts_open{severity=\"warning\"}"]);
        Assert.Equal(1, samples["crm_incidents_open{condition=\"silence\"}"]);
        Assert.Equal(0, samples["crm_incidents_open{condition=\"nightly-not-started\"}"]);
        Assert.Equal(1, samples["crm_notifications_undelivered{status=\"given-up\"}"]);
        Assert.Equal(0, samples["crm_scheduler_nodes"]);
        // Only the stage run of the last hour is in the 24-hour window.
        Assert.Equal(1, samples["crm_stage_runs_24h{stage=\"identity\",status=\"failed\"}"]);
        Assert.False(samples.ContainsKey("crm_stage_runs_24h{stage=\"orders\",status=\"failed\"}"));
        // The excluded nights are not due: the latest firing that is, is the one of the day before yesterday (also
        // should the day turn since the start: the next firing, at 02:00, is hours away).
        Assert.Equal(Epoch($"{_today.AddDays(-2):yyyy-MM-dd}T02:00:00Z"), samples["crm_nightly_last_due_timestamp_seconds"]);
    }

    /// <summary>Sample lines of the text exposition format, keyed by name and labels as written.</summary>
    private static Dictionary<string, double> Parse(string exposition) =>
        exposition.Split('\n')
            .Where(l => l.StartsWith("crm_", StringComparison.Ordinal))
            .Select(l => (Key: l[..l.LastIndexOf(' ')], Value: double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture)))
            .ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal);

    private static double Epoch(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture).ToUnixTimeSeconds();

    [GeneratedRegex(@"\bcrm_[a-z0-9_]+")]
    private static partial Regex MetricName();
}

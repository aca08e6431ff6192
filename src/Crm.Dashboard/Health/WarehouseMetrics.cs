using Crm.Pipeline.Notifications;
using Hangfire;
using Npgsql;
using Prometheus;

namespace Crm.Dashboard.Health;

/// <summary>
/// Prometheus metrics read from the warehouse at scrape time: rows per source and when each last brought one, stage
/// outcomes and durations, each run kind's last start, success and outcome, the nightly's latest due firing (by the schedules' calendars), open alerts and incidents, notifications
/// not delivered, scheduler nodes and the Hangfire queue. <c>deploy/prometheus/crm-rules.yml</c> alerts on them and
/// <c>deploy/grafana/crm.json</c> draws them.
/// </summary>
public sealed partial class WarehouseMetrics
{
    // The conditions of ops.incident (the part of its key before the first colon), each always exported.
    private static readonly string[] IncidentConditions = ["run-failed", "alert", "silence", "nightly-not-started", "nightly-not-finished"];

    private static readonly string[] AlertSeverities = ["warning", "error"];
    private static readonly string[] UndeliveredStatuses = ["failed", "given-up"];

    private readonly Gauge _rows;
    private readonly Gauge _lastLoad;
    private readonly Gauge _stages;
    private readonly Gauge _lastDuration;
    private readonly Gauge _lastSuccess;
    private readonly Gauge _runLastStart;
    private readonly Gauge _runLastSuccess;
    private readonly Gauge _runLastFailed;
    private readonly Gauge _alertsOpen;
    private readonly Gauge _incidentsOpen;
    private readonly Gauge _undelivered;
    private readonly Gauge _schedulerNodes;
    private readonly Gauge _queue;
    private readonly Gauge _nightlyDue;

    /// <summary>This app's registry (one per app, so several apps in one process never share state).</summary>
    public CollectorRegistry Registry { get; } = Metrics.NewCustomRegistry();

    /// <summary>Creates the gauges and registers the scrape-time collection on <paramref name="services"/>'s warehouse and job storage.</summary>
    public WarehouseMetrics(IServiceProvider services)
    {
        var factory = Metrics.WithCustomRegistry(Registry);
        _rows = factory.CreateGauge("crm_source_rows_total", "Rows read, loaded, quarantined and duplicate per source (all time).", "source", "kind");
        _lastLoad = factory.CreateGauge("crm_source_last_load_timestamp_seconds", "Unix time a source last brought a row in (its latest ledger unit with loaded rows).", "source");
        _stages = factory.CreateGauge("crm_stage_runs_24h", "Stage runs in the last 24 hours by outcome.", "stage", "status");
        _lastDuration = factory.CreateGauge("crm_stage_last_duration_seconds", "Duration of the last finished run of each stage.", "stage");
        _lastSuccess = factory.CreateGauge("crm_stage_last_success_timestamp_seconds", "Unix time of the last successful run of each stage.", "stage");
        _runLastStart = factory.CreateGauge("crm_run_last_start_timestamp_seconds", "Unix time the last run of each kind (nightly, manual, demo) started.", "kind");
        _runLastSuccess = factory.CreateGauge("crm_run_last_success_timestamp_seconds", "Unix time the last successful run of each kind finished.", "kind");
        _runLastFailed = factory.CreateGauge("crm_run_last_failed", "1 when the last finished run of a kind failed after its retries or was abandoned, else 0.", "kind");
        _alertsOpen = factory.CreateGauge("crm_alerts_open", "Alerts raised by stages (ops.alert) and not resolved, by severity.", "severity");
        _incidentsOpen = factory.CreateGauge("crm_incidents_open", "Incidents the service's own watch holds open (ops.incident), by condition; 0 while Crm:Notifications tells no one.", "condition");
        _undelivered = factory.CreateGauge("crm_notifications_undelivered", "Admin notifications waiting for a retry (failed) or given up after their attempts.", "status");
        _schedulerNodes = factory.CreateGauge("crm_scheduler_nodes", "Quartz scheduler nodes that checked in during the last minute.");
        _queue = factory.CreateGauge("crm_hangfire_jobs", "Hangfire jobs by state.", "state");
        _nightlyDue = factory.CreateGauge(
            "crm_nightly_last_due_timestamp_seconds",
            "Unix time of the latest nightly firing the schedules' calendars do not exclude (Crm:Schedules); absent when no schedule runs the nightly.",
            new GaugeConfiguration { SuppressInitialValue = true });
        var calendar = services.GetService<INightlyCalendar>();
        Registry.AddBeforeCollectCallback(async ct =>
        {
            var dataSource = services.GetRequiredService<NpgsqlDataSource>();
            await CollectSourcesAsync(dataSource, ct).ConfigureAwait(false);
            await CollectStagesAsync(dataSource, ct).ConfigureAwait(false);
            await CollectRunsAsync(dataSource, ct).ConfigureAwait(false);
            await CollectWatchAsync(dataSource, ct).ConfigureAwait(false);
            if (calendar?.LastDueAtOrBefore(DateTimeOffset.UtcNow) is { } due)
            {
                _nightlyDue.Set(due.ToUnixTimeSeconds());
            }
            else
            {
                _nightlyDue.Unpublish();
            }

            var stats = services.GetRequiredService<JobStorage>().GetMonitoringApi().GetStatistics();
            _queue.WithLabels("enqueued").Set(stats.Enqueued);
            _queue.WithLabels("processing").Set(stats.Processing);
            _queue.WithLabels("scheduled").Set(stats.Scheduled);
            _queue.WithLabels("failed").Set(stats.Failed);
        });
    }

    private async Task CollectSourcesAsync(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(SourcesSql);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            var source = reader.GetString(0);
            _rows.WithLabels(source, "read").Set((double)reader.GetDecimal(1));
            _rows.WithLabels(source, "loaded").Set((double)reader.GetDecimal(2));
            _rows.WithLabels(source, "quarantined").Set((double)reader.GetDecimal(3));
            _rows.WithLabels(source, "duplicate").Set((double)reader.GetDecimal(4));
            if (!reader.IsDBNull(5))
            {
                _lastLoad.WithLabels(source).Set(reader.GetDouble(5));
            }
        }
    }

    private async Task CollectStagesAsync(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        // A window count must fall back to nothing when its runs leave the window, or an alert on it never resolves.
        Clear(_stages);
        await using (var command = dataSource.CreateCommand(StageRuns24hSql))
        await using (var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                _stages.WithLabels(reader.GetString(0), reader.GetString(1)).Set(reader.GetInt64(2));
            }
        }

        await using (var command = dataSource.CreateCommand(StageLastSql))
        await using (var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                _lastDuration.WithLabels(reader.GetString(0)).Set(reader.GetDouble(1));
                if (!reader.IsDBNull(2))
                {
                    _lastSuccess.WithLabels(reader.GetString(0)).Set(reader.GetDouble(2));
                }
            }
        }
    }

    private async Task CollectRunsAsync(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(RunsSql);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            var kind = reader.GetString(0);
            _runLastStart.WithLabels(kind).Set(reader.GetDouble(1));
            if (!reader.IsDBNull(2))
            {
                _runLastSuccess.WithLabels(kind).Set(reader.GetDouble(2));
            }

            _runLastFailed.WithLabels(kind).Set(reader.GetBoolean(3) ? 1 : 0);
        }
    }

    private async Task CollectWatchAsync(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        foreach (var severity in AlertSeverities)
        {
            _alertsOpen.WithLabels(severity).Set(0);
        }

        foreach (var condition in IncidentConditions)
        {
            _incidentsOpen.WithLabels(condition).Set(0);
        }

        foreach (var status in UndeliveredStatuses)
        {
            _undelivered.WithLabels(status).Set(0);
        }

        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand(AlertsOpenSql));
        batch.BatchCommands.Add(new NpgsqlBatchCommand(IncidentsOpenSql));
        batch.BatchCommands.Add(new NpgsqlBatchCommand(UndeliveredSql));
        batch.BatchCommands.Add(new NpgsqlBatchCommand(SchedulerNodesSql));
        await using var reader = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
        Gauge[] labelled = [_alertsOpen, _incidentsOpen, _undelivered];
        foreach (var gauge in labelled)
        {
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                gauge.WithLabels(reader.GetString(0)).Set(reader.GetInt64(1));
            }

            await reader.NextResultAsync(ct).ConfigureAwait(false);
        }

        await reader.ReadAsync(ct).ConfigureAwait(false);
        _schedulerNodes.Set(reader.GetInt64(0));
    }

    private static void Clear(Gauge gauge)
    {
        foreach (var labels in gauge.GetAllLabelValues().ToList())
        {
            gauge.RemoveLabelled(labels);
        }
    }
}

using Hangfire;
using Npgsql;
using Prometheus;

namespace Crm.Dashboard.Health;

/// <summary>
/// Prometheus metrics read from the warehouse at scrape time: rows per source, quarantine,
/// stage outcomes and durations, last success per stage, and the Hangfire queue length.
/// </summary>
public sealed class WarehouseMetrics
{
    private readonly Gauge _rows;
    private readonly Gauge _stages;
    private readonly Gauge _lastDuration;
    private readonly Gauge _lastSuccess;
    private readonly Gauge _queue;

    /// <summary>This app's registry (one per app, so several apps in one process never share state).</summary>
    public CollectorRegistry Registry { get; } = Metrics.NewCustomRegistry();

    /// <summary>Creates the gauges and registers the scrape-time collection on <paramref name="services"/>'s warehouse and job storage.</summary>
    public WarehouseMetrics(IServiceProvider services)
    {
        var factory = Metrics.WithCustomRegistry(Registry);
        _rows = factory.CreateGauge("crm_source_rows_total", "Rows read, loaded, quarantined and duplicate per source (all time).", "source", "kind");
        _stages = factory.CreateGauge("crm_stage_runs_24h", "Stage runs in the last 24 hours by outcome.", "stage", "status");
        _lastDuration = factory.CreateGauge("crm_stage_last_duration_seconds", "Duration of the last finished run of each stage.", "stage");
        _lastSuccess = factory.CreateGauge("crm_stage_last_success_timestamp_seconds", "Unix time of the last successful run of each stage.", "stage");
        _queue = factory.CreateGauge("crm_hangfire_jobs", "Hangfire jobs by state.", "state");
        Registry.AddBeforeCollectCallback(async ct =>
        {
            var dataSource = services.GetRequiredService<NpgsqlDataSource>();
            await using (var command = dataSource.CreateCommand(
                "select source, sum(read_count), sum(loaded_count), sum(quarantined_count), sum(duplicate_count) from ops.ingest_ledger group by source"))
            await using (var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    var source = reader.GetString(0);
                    _rows.WithLabels(source, "read").Set(reader.GetDecimal(1) is var r ? (double)r : 0);
                    _rows.WithLabels(source, "loaded").Set((double)reader.GetDecimal(2));
                    _rows.WithLabels(source, "quarantined").Set((double)reader.GetDecimal(3));
                    _rows.WithLabels(source, "duplicate").Set((double)reader.GetDecimal(4));
                }
            }

            await using (var command = dataSource.CreateCommand(
                """
                select stage, status, count(*) from ops.pipeline_stage where started_at > now() - interval '24 hours' group by 1, 2
                """))
            await using (var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    _stages.WithLabels(reader.GetString(0), reader.GetString(1)).Set(reader.GetInt64(2));
                }
            }

            await using (var command = dataSource.CreateCommand(
                """
                select stage,
                       (array_agg(extract(epoch from finished_at - started_at) order by finished_at desc))[1]::float8,
                       max(extract(epoch from finished_at)) filter (where status = 'succeeded')::float8
                from ops.pipeline_stage where finished_at is not null group by stage
                """))
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

            var stats = services.GetRequiredService<JobStorage>().GetMonitoringApi().GetStatistics();
            _queue.WithLabels("enqueued").Set(stats.Enqueued);
            _queue.WithLabels("processing").Set(stats.Processing);
            _queue.WithLabels("scheduled").Set(stats.Scheduled);
            _queue.WithLabels("failed").Set(stats.Failed);
        });
    }
}

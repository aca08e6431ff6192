using Hangfire;
using Npgsql;
using Prometheus;

namespace Crm.Dashboard.Health;

/// <summary>
/// Prometheus metrics read from the warehouse at scrape time: rows per source, quarantine,
/// stage outcomes and durations, last success per stage, and the Hangfire queue length.
/// </summary>
public static class WarehouseMetrics
{
    private static readonly Gauge Rows = Metrics.CreateGauge("crm_source_rows_total", "Rows read, loaded, quarantined and duplicate per source (all time).", "source", "kind");
    private static readonly Gauge Stages = Metrics.CreateGauge("crm_stage_runs_24h", "Stage runs in the last 24 hours by outcome.", "stage", "status");
    private static readonly Gauge LastDuration = Metrics.CreateGauge("crm_stage_last_duration_seconds", "Duration of the last finished run of each stage.", "stage");
    private static readonly Gauge LastSuccess = Metrics.CreateGauge("crm_stage_last_success_timestamp_seconds", "Unix time of the last successful run of each stage.", "stage");
    private static readonly Gauge Queue = Metrics.CreateGauge("crm_hangfire_jobs", "Hangfire jobs by state.", "state");
    private static int _registered;

    /// <summary>Registers the scrape-time collection once per process.</summary>
    public static void Register(IServiceProvider services)
    {
        if (Interlocked.Exchange(ref _registered, 1) == 1)
        {
            return;
        }

        Metrics.DefaultRegistry.AddBeforeCollectCallback(async ct =>
        {
            var dataSource = services.GetRequiredService<NpgsqlDataSource>();
            await using (var command = dataSource.CreateCommand(
                "select source, sum(read_count), sum(loaded_count), sum(quarantined_count), sum(duplicate_count) from ops.ingest_ledger group by source"))
            await using (var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    var source = reader.GetString(0);
                    Rows.WithLabels(source, "read").Set(reader.GetDecimal(1) is var r ? (double)r : 0);
                    Rows.WithLabels(source, "loaded").Set((double)reader.GetDecimal(2));
                    Rows.WithLabels(source, "quarantined").Set((double)reader.GetDecimal(3));
                    Rows.WithLabels(source, "duplicate").Set((double)reader.GetDecimal(4));
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
                    Stages.WithLabels(reader.GetString(0), reader.GetString(1)).Set(reader.GetInt64(2));
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
                    LastDuration.WithLabels(reader.GetString(0)).Set(reader.GetDouble(1));
                    if (!reader.IsDBNull(2))
                    {
                        LastSuccess.WithLabels(reader.GetString(0)).Set(reader.GetDouble(2));
                    }
                }
            }

            var stats = JobStorage.Current.GetMonitoringApi().GetStatistics();
            Queue.WithLabels("enqueued").Set(stats.Enqueued);
            Queue.WithLabels("processing").Set(stats.Processing);
            Queue.WithLabels("scheduled").Set(stats.Scheduled);
            Queue.WithLabels("failed").Set(stats.Failed);
        });
    }
}

namespace Crm.Dashboard.Health;

/// <summary>The queries behind the metrics, one per group, each cheap enough to run on every scrape.</summary>
public sealed partial class WarehouseMetrics
{
    private const string SourcesSql =
        """
        select source, sum(read_count), sum(loaded_count), sum(quarantined_count), sum(duplicate_count),
               extract(epoch from max(loaded_at) filter (where loaded_count > 0))::float8
        from ops.ingest_ledger group by source
        """;

    private const string StageRuns24hSql =
        "select stage, status, count(*) from ops.pipeline_stage where started_at > now() - interval '24 hours' group by 1, 2";

    private const string StageLastSql =
        """
        select stage,
               (array_agg(extract(epoch from finished_at - started_at) order by finished_at desc))[1]::float8,
               max(extract(epoch from finished_at)) filter (where status = 'succeeded')::float8
        from ops.pipeline_stage where finished_at is not null group by stage
        """;

    // The last finished run decides "failed", as the service's own watch does (notify_failed_runs.sql): a failure
    // stays until a run of the same kind succeeds.
    private const string RunsSql =
        """
        select kind,
               extract(epoch from max(started_at))::float8,
               extract(epoch from max(finished_at) filter (where status = 'succeeded'))::float8,
               coalesce((array_agg(status order by coalesce(finished_at, abandoned_at, started_at) desc, started_at desc)
                         filter (where status in ('succeeded', 'failed', 'abandoned')))[1] in ('failed', 'abandoned'), false)
        from ops.pipeline_run group by kind
        """;

    private const string AlertsOpenSql =
        "select severity, count(*) from ops.alert where resolved_at is null and severity in ('warning', 'error') group by 1";

    private const string IncidentsOpenSql =
        "select split_part(incident_key, ':', 1), count(*) from ops.incident where resolved_at is null group by 1";

    private const string UndeliveredSql =
        "select status, count(*) from ops.notification where status in ('failed', 'given-up') group by 1";

    private const string SchedulerNodesSql =
        "select count(*) from quartz.qrtz_scheduler_state where last_checkin_time > (extract(epoch from now()) * 1000)::bigint - 60000";
}

using Crm.IntegrationTests.Infrastructure;
using Crm.Pipeline.Jobs;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Crm.IntegrationTests.Operations;

/// <summary>
/// Issue 16 item 7: a retried stage recorded only its last attempt's rows_read. Each attempt is recorded in
/// ops.pipeline_stage_attempt, and the stage's counts are the sum over its attempts; an attempt that failed or died
/// counts the units it committed (its run's ledger rows), since the retry skips them.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class StageAttemptTests(PostgresCluster cluster)
{
    [Fact]
    public async Task RetriedStage_CountsEveryAttempt_TheFailedOneByWhatItCommitted()
    {
        await using var ds = await cluster.CreateMigratedDatabaseAsync("attempts");
        var recorder = new PipelineRunRecorder(ds);
        var (runId, _) = await recorder.StartRunAsync("manual", null, CancellationToken.None);

        // Attempt 1 commits two files (ledger rows of 300 and 200 lines read, 290 and 200 loaded), then fails on the third.
        await recorder.StartStageAsync(runId, "orders", CancellationToken.None);
        await CommitUnitAsync(ds, runId, "orders", "a.csv", 300, 290);
        await CommitUnitAsync(ds, runId, "orders", "b.csv", 200, 200);
        await recorder.FinishStageAsync(runId, "orders", null, "57P01: terminating connection due to administrator command", CancellationToken.None);
        // Attempt 2 skips both and loads the third: its stage reports only that file.
        await recorder.StartStageAsync(runId, "orders", CancellationToken.None);
        await CommitUnitAsync(ds, runId, "orders", "c.csv", 50, 45);
        await recorder.FinishStageAsync(runId, "orders", new StageResult(50, 45, "1 file"), null, CancellationToken.None);

        Assert.Equal("succeeded|550|535|2", await ds.ScalarAsync<string>(
            $"select concat_ws('|', status, rows_read, rows_written, attempts) from ops.pipeline_stage where run_id = '{runId}' and stage = 'orders'"));
        Assert.Equal("1:failed:500:490,2:succeeded:50:45", await AttemptsAsync(ds, runId, "orders"));
    }

    [Fact]
    public async Task AttemptThatDied_IsClosedByTheNextAttempt_OrByTheSweep_WithWhatItCommitted()
    {
        await using var ds = await cluster.CreateMigratedDatabaseAsync("attemptsdied");
        var recorder = new PipelineRunRecorder(ds, Options.Create(new RunLeaseOptions { HeartbeatSeconds = 1 }), NullLogger<PipelineRunRecorder>.Instance);
        var (runId, _) = await recorder.StartRunAsync("manual", null, CancellationToken.None);

        // A web log attempt dies after committing one file (no end recorded); the retry starts, loads one more, succeeds.
        await recorder.StartStageAsync(runId, "weblogs", CancellationToken.None);
        await CommitUnitAsync(ds, runId, "weblogs", "access.log.1", 70, 69);
        await recorder.StartStageAsync(runId, "weblogs", CancellationToken.None);
        await CommitUnitAsync(ds, runId, "weblogs", "access.log", 30, 30);
        await recorder.FinishStageAsync(runId, "weblogs", new StageResult(30, 30, "1 file"), null, CancellationToken.None);

        Assert.Equal("succeeded|100|99|2", await ds.ScalarAsync<string>(
            $"select concat_ws('|', status, rows_read, rows_written, attempts) from ops.pipeline_stage where run_id = '{runId}' and stage = 'weblogs'"));
        Assert.Equal("1:abandoned:70:69,2:succeeded:30:30", await AttemptsAsync(ds, runId, "weblogs"));

        // An owned run whose process died mid-stage: the sweep marks stage and attempt abandoned, with what it committed.
        var (owned, lease) = await recorder.StartOwnedRunAsync("manual", "dead:1 (manual run)", CancellationToken.None);
        await recorder.StartStageAsync(owned, "email", CancellationToken.None);
        await CommitUnitAsync(ds, owned, "email", "1.eml", 1, 1);
        await CommitUnitAsync(ds, owned, "email", "2.eml", 1, 1);
        await lease.DisposeAsync(); // the lock goes, as with the process
        await ds.ExecuteAsync($"update ops.pipeline_run set heartbeat_at = now() - interval '1 minute' where run_id = '{owned}'");

        var marked = await recorder.MarkAbandonedAsync(CancellationToken.None);

        Assert.Equal((1L, 1L), marked);
        Assert.Equal("abandoned|2|2|1", await ds.ScalarAsync<string>(
            $"select concat_ws('|', status, rows_read, rows_written, attempts) from ops.pipeline_stage where run_id = '{owned}'"));
        Assert.Equal("1:abandoned:2:2", await AttemptsAsync(ds, owned, "email"));
        Assert.Equal(0L, await ds.ScalarAsync<long>("select count(*) from ops.pipeline_stage_attempt where status = 'running'"));
    }

    /// <summary>A unit committed by a loader: its ledger row, in a transaction of its own (as the ingesters write it).</summary>
    private static Task CommitUnitAsync(NpgsqlDataSource ds, Guid runId, string source, string path, long read, long loaded) =>
        ds.ExecuteAsync(
            $"""
            insert into ops.ingest_ledger (source, unit_key, unit_path, checksum, read_count, loaded_count, quarantined_count, run_id)
            values ('{source}', '{source}:{path}', '{path}', md5('{path}'), {read}, {loaded}, {read - loaded}, '{runId}')
            """);

    private static Task<string> AttemptsAsync(NpgsqlDataSource ds, Guid runId, string stage) =>
        ds.ScalarAsync<string>(
            $"""
            select string_agg(concat_ws(':', attempt, status, rows_read, rows_written), ',' order by attempt)
            from ops.pipeline_stage_attempt where run_id = '{runId}' and stage = '{stage}'
            """);
}

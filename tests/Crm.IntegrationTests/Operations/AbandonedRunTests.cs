using Crm.IntegrationTests.Infrastructure;
using Crm.Pipeline.Jobs;
using Crm.Worker.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Xunit.Abstractions;

namespace Crm.IntegrationTests.Operations;

/// <summary>
/// Issue 15 item 8: a run or stage left 'running' by a process that died is marked 'abandoned' by the next run or
/// service start, and only when its owner is provably gone (no lock, heartbeat stopped while the server was up).
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class AbandonedRunTests(PostgresCluster cluster, ITestOutputHelper log) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("crm-abandon-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task MarkAbandoned_MarksOnlyWhatNoLiveOwnerHolds()
    {
        await using var ds = await cluster.CreateMigratedDatabaseAsync("abandon");
        // Runs 1-7, each with one stage, in every state the rule tells apart. Heartbeats of a second, ten minutes old, are stale.
        await ds.ExecuteAsync(
            """
            insert into ops.pipeline_run (run_id, kind, status, owner, heartbeat_at, heartbeat_seconds) values
              ('00000000-0000-0000-0000-000000000001', 'manual', 'running',   'dead:1',  now() - interval '10 minutes', 1),  -- owner gone
              ('00000000-0000-0000-0000-000000000002', 'manual', 'running',   'alive:2', now() - interval '10 minutes', 1),  -- lock held (below)
              ('00000000-0000-0000-0000-000000000003', 'manual', 'running',   'alive:3', now(),                         1),  -- beating
              ('00000000-0000-0000-0000-000000000004', 'manual', 'running',   null,      null,                          null), -- a chain: its jobs own it
              ('00000000-0000-0000-0000-000000000005', 'manual', 'running',   null,      null,                          null),
              ('00000000-0000-0000-0000-000000000006', 'manual', 'succeeded', 'dead:6',  now() - interval '10 minutes', 1),  -- finished
              ('00000000-0000-0000-0000-000000000007', 'manual', 'running',   'rebooted:7', '2001-01-01', 1000000000);       -- three beats > server uptime
            insert into ops.pipeline_stage (run_id, stage, status, owner, heartbeat_at, heartbeat_seconds, hangfire_job_id) values
              ('00000000-0000-0000-0000-000000000001', 'orders', 'running',   null, null, null, null),
              ('00000000-0000-0000-0000-000000000002', 'orders', 'running',   null, null, null, null),
              ('00000000-0000-0000-0000-000000000003', 'orders', 'running',   null, null, null, null),
              ('00000000-0000-0000-0000-000000000004', 'orders', 'running',   'dead:4 job 9',  now() - interval '10 minutes', 1, '9'),
              ('00000000-0000-0000-0000-000000000005', 'orders', 'running',   'alive:5 job 8', now() - interval '10 minutes', 1, '8'),
              ('00000000-0000-0000-0000-000000000006', 'orders', 'succeeded', null, null, null, null),
              ('00000000-0000-0000-0000-000000000007', 'orders', 'running',   null, null, null, null);
            """);
        // Live owners hold their locks on sessions of their own.
        await using var run2 = await HoldAsync(ds, "crm.run:00000000-0000-0000-0000-000000000002");
        await using var stage5 = await HoldAsync(ds, "crm.stage:00000000-0000-0000-0000-000000000005:orders");
        var recorder = new PipelineRunRecorder(ds);

        var marked = await recorder.MarkAbandonedAsync(CancellationToken.None);
        var again = await recorder.MarkAbandonedAsync(CancellationToken.None);

        Assert.Equal((1L, 2L), marked);
        Assert.Equal((0L, 0L), again);
        Assert.Equal(
            "1:abandoned/abandoned,2:running/running,3:running/running,4:running/abandoned,5:running/running,6:succeeded/succeeded,7:running/running",
            await ds.ScalarAsync<string>(
                """
                select string_agg(right(r.run_id::text, 1) || ':' || r.status || '/' || s.status, ',' order by r.run_id)
                from ops.pipeline_run r join ops.pipeline_stage s using (run_id)
                """));
        // The time it was found, and who was gone since when.
        Assert.Equal(3L, await ds.ScalarAsync<long>(
            """
            select (select count(*) from ops.pipeline_run where abandoned_at > now() - interval '1 minute')
                 + (select count(*) from ops.pipeline_stage where abandoned_at > now() - interval '1 minute')
            """));
        var error = await ds.ScalarAsync<string>("select error from ops.pipeline_run where run_id = '00000000-0000-0000-0000-000000000001'");
        Assert.StartsWith("abandoned: dead:1 stopped its heartbeat at ", error, StringComparison.Ordinal);
        Assert.EndsWith(" UTC and holds no lock", error, StringComparison.Ordinal);
        Assert.StartsWith("abandoned: dead:4 job 9 ", await ds.ScalarAsync<string>(
            "select error from ops.pipeline_stage where run_id = '00000000-0000-0000-0000-000000000004'"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OwnedRun_KeepsItsLockAndHeartbeatThroughALostSession_AndIsNeverMarkedWhileAlive()
    {
        await using var ds = await cluster.CreateMigratedDatabaseAsync("lease");
        var recorder = new PipelineRunRecorder(ds, Options.Create(new RunLeaseOptions { HeartbeatSeconds = 1 }), NullLogger<PipelineRunRecorder>.Instance);
        var (runId, lease) = await recorder.StartOwnedRunAsync("manual", "test:1", CancellationToken.None);
        await using (lease)
        {
            var lockHolders = $"select count(*) from pg_locks l join pg_stat_activity a using (pid) where l.locktype = 'advisory' and l.granted and a.datname = current_database() and ((l.classid::bigint << 32) | l.objid::bigint) = hashtextextended('crm.run:{runId}', 0)";
            Assert.Equal(1L, await ds.ScalarAsync<long>(lockHolders));

            // The lease's session dies (as in a server restart or a broken connection): the lease takes its lock again on a new one.
            await ds.ExecuteAsync($"update ops.pipeline_run set heartbeat_at = '2001-01-01' where run_id = '{runId}'");
            await ds.ExecuteAsync(
                $"select pg_terminate_backend(l.pid) from pg_locks l where l.locktype = 'advisory' and ((l.classid::bigint << 32) | l.objid::bigint) = hashtextextended('crm.run:{runId}', 0)");
            var beating = await Poll.UntilAtLeastAsync(ds,
                $"select count(*) from ops.pipeline_run where run_id = '{runId}' and heartbeat_at > now() - interval '1 minute'", 1, TimeSpan.FromSeconds(30));
            Assert.Equal(1L, beating);
            Assert.Equal(1L, await Poll.UntilAtLeastAsync(ds, lockHolders, 1, TimeSpan.FromSeconds(30)));

            // A stale heartbeat alone proves nothing while the lock is held.
            await ds.ExecuteAsync($"update ops.pipeline_run set heartbeat_at = '2001-01-01' where run_id = '{runId}'");
            Assert.Equal((0L, 0L), await recorder.MarkAbandonedAsync(CancellationToken.None));
            await recorder.FinishRunAsync(runId, null, CancellationToken.None);
        }

        Assert.Equal("succeeded", await ds.ScalarAsync<string>($"select status from ops.pipeline_run where run_id = '{runId}'"));
    }

    [Fact]
    public async Task Kill9DuringCrmRun_TheNextRunMarksItAbandoned_AndLoadsTheDataOnce()
    {
        const int lines = 120_000;
        var (_, settings) = await OrderFeedFile.WriteAsync(_dir, lines);
        var beat = Path.Combine(_dir, "beat.json");
        await File.WriteAllTextAsync(beat, """{"Crm":{"Worker":{"HeartbeatSeconds":1}}}""");
        var connectionString = await cluster.CreateMigratedConnectionStringAsync("kill9run");
        await using var ds = NpgsqlDataSource.Create(connectionString);

        using (var run = CrmProcess.Start(connectionString, _dir, "run", "orders", "--config", settings, "--config", beat))
        {
            var output = run.StandardOutput.ReadToEndAsync();
            var errors = run.StandardError.ReadToEndAsync();
            var copying = await Poll.UntilAtLeastAsync(ds,
                $"select count(*) from pg_stat_progress_copy where datname = current_database() and tuples_processed between 1 and {lines / 2}", 1, TimeSpan.FromSeconds(60),
                () => run.HasExited);
            if (copying != 1 || run.HasExited)
            {
                // Only here may the output be awaited: reading it to its end waits for the process to exit.
                Assert.Fail("the load was not caught mid-COPY: " + await output + await errors);
            }
            run.Kill(entireProcessTree: true);
            await run.WaitForExitAsync();
        }

        Assert.Equal("running/running", await ds.ScalarAsync<string>(
            "select r.status || '/' || s.status from ops.pipeline_run r join ops.pipeline_stage s using (run_id)"));
        // Three missed heartbeats make the dead owner's silence proof (the server has been up far longer).
        Assert.Equal(1L, await Poll.UntilAtLeastAsync(ds,
            "select count(*) from ops.pipeline_run where status = 'running' and heartbeat_at < now() - interval '3.5 seconds'", 1, TimeSpan.FromSeconds(30)));

        var (exit, again) = await CrmProcess.RunAsync(connectionString, _dir, TimeSpan.FromSeconds(120), "run", "orders", "--config", settings, "--config", beat);

        log.WriteLine(again);
        Assert.True(exit == 0, again);
        Assert.Equal("abandoned/abandoned,succeeded/succeeded", await ds.ScalarAsync<string>(
            "select string_agg(r.status || '/' || s.status, ',' order by r.started_at) from ops.pipeline_run r join ops.pipeline_stage s using (run_id)"));
        Assert.Equal(1L, await ds.ScalarAsync<long>(
            """
            select count(*) from ops.pipeline_run r join ops.pipeline_stage s using (run_id)
            where r.status = 'abandoned' and r.abandoned_at is not null and s.abandoned_at is not null
              and r.error like 'abandoned: %(manual run) stopped its heartbeat at %'
            """));
        Assert.Equal((long)lines, await ds.ScalarAsync<long>("select count(*) from core.order_line"));
        Assert.Equal($"1|{lines + 1}|{lines}|1|0", await ds.ScalarAsync<string>(OrderFeedFile.Fingerprints[2]));
    }

    [Fact]
    public async Task Enqueue_WithNoServiceNode_Warns()
    {
        var connectionString = await cluster.CreateDatabaseAsync("nonode");

        var (exit, output) = await CrmProcess.RunAsync(connectionString, _dir, TimeSpan.FromSeconds(90), "run", "identity", "--enqueue");

        Assert.True(exit == 0, output);
        Assert.Contains("enqueued run ", output, StringComparison.Ordinal);
        Assert.Contains("crm run: warning: no service node (crm serve) is running on this warehouse; the run waits in the queue until one starts.", output, StringComparison.Ordinal);
    }

    private static async Task<NpgsqlConnection> HoldAsync(NpgsqlDataSource ds, string key)
    {
        var connection = await ds.OpenConnectionAsync();
        await using var take = new NpgsqlCommand("select pg_advisory_lock(hashtextextended(@k, 0))", connection);
        take.Parameters.AddWithValue("k", key);
        await take.ExecuteNonQueryAsync();
        return connection;
    }
}

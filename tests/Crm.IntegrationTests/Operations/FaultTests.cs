using System.Diagnostics;
using Crm.IntegrationTests.Churn;
using Crm.IntegrationTests.Infrastructure;
using Crm.IntegrationTests.Reports;
using Crm.Worker.Hosting;
using Npgsql;
using Xunit.Abstractions;

namespace Crm.IntegrationTests.Operations;

/// <summary>
/// Issue 10, "faults survived": kill -9 mid-training, PostgreSQL restarted under a running stage, and a
/// full disk under the report outbox. (kill -9 mid-ingest: <c>Orders/KillDuringLoadTests</c>; SMTP
/// outage: <c>Reports/ReportDeliveryTests</c>; corrupt model artifact: <c>Churn/ChurnTrainingTests</c>.)
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class FaultTests(PostgresCluster cluster, ITestOutputHelper log) : IDisposable
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private readonly string _dir = Directory.CreateTempSubdirectory("crm-faults-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Kill9MidTraining_ThenRestart_TheModelRegistryEqualsAnUndisturbedRun()
    {
        var settings = Path.Combine(_dir, "churn.json");
        await File.WriteAllTextAsync(settings, """
            {"Crm":{"Churn":{"AsOf":"2025-01-01","HorizonDays":90,"CutoffStepDays":30,"BacktestCutoffs":1,"TrainingCutoffs":2,"Trees":20,"Leaves":8,"MinimumExamplesPerLeaf":10}}}
            """);
        var world = ChurnWorld.Generate(700, 11);
        var killed = await cluster.CreateDatabaseAsync("trainkill");
        var clean = await cluster.CreateDatabaseAsync("trainclean");
        await using var killedDb = await MigratedAsync(killed);
        await using var cleanDb = await MigratedAsync(clean);
        await SyntheticOrders.InsertAsync(killedDb, world);
        await SyntheticOrders.InsertAsync(cleanDb, world);

        // kill -9 once the training run has committed part of its work (the features of a first cutoff).
        using (var trainer = CrmProcess.Start(killed, _dir, "run", "features", "train", "--config", settings))
        {
            var output = trainer.StandardOutput.ReadToEndAsync();
            var errors = trainer.StandardError.ReadToEndAsync();
            var cutoffs = await Poll.UntilAtLeastAsync(killedDb, "select count(distinct cutoff) from ml.customer_features", 1, TimeSpan.FromSeconds(60),
                () => trainer.HasExited);
            if (trainer.HasExited)
            {
                Assert.Fail("training finished before it could be killed: " + await output + await errors);
            }

            // The features stage commits its cutoffs before training starts; the kill comes after at least one.
            Assert.True(cutoffs >= 1, $"{cutoffs} cutoffs");
            trainer.Kill(entireProcessTree: true);
            await trainer.WaitForExitAsync();
            Phase("killed the trainer");
        }

        Phase($"after the kill: {await killedDb.ScalarAsync<long>("select count(distinct cutoff) from ml.customer_features")} cutoffs, {await killedDb.ScalarAsync<long>("select count(*) from ml.model")} models");
        Assert.Equal(0L, await killedDb.ScalarAsync<long>("select count(*) from ml.model"));
        // The restart and the undisturbed run, side by side.
        var restart = CrmProcess.RunAsync(killed, _dir, TimeSpan.FromSeconds(120), "run", "features", "train", "--config", settings);
        var undisturbed = CrmProcess.RunAsync(clean, _dir, TimeSpan.FromSeconds(120), "run", "features", "train", "--config", settings);
        var (restartExit, restartOutput) = await restart;
        var (cleanExit, cleanOutput) = await undisturbed;

        Phase("restarted and clean runs done");
        log.WriteLine(restartOutput);
        Assert.True(restartExit == 0, restartOutput);
        Assert.True(cleanExit == 0, cleanOutput);
        Assert.Equal(1L, await cleanDb.ScalarAsync<long>("select count(*) from ml.model where status = 'champion'"));
        foreach (var query in TrainingFingerprints)
        {
            Assert.Equal(await cleanDb.ScalarAsync<string>(query), await killedDb.ScalarAsync<string>(query));
        }
    }

    [Fact]
    public async Task PostgresRestartedMidStage_TheJobFails_IsRetriedByHangfire_AndTheDataIsRight()
    {
        const int lines = 120_000;
        var (_, settings) = await OrderFeedFile.WriteAsync(_dir, lines);
        // A cluster of its own: restarting the shared one would break every pooled connection of the other tests.
        // (Under the temp folder, not _dir: as root the server runs as 'postgres', which must reach its folder.)
        var pgRoot = Path.Combine(Path.GetTempPath(), "crm-pgrestart-" + Guid.NewGuid().ToString("N")[..8]);
        using var cleanup = new DeleteOnDispose(pgRoot);
        await using var server = await EmbeddedPostgres.StartAsync(pgRoot, CancellationToken.None);
        var connectionString = server.ConnectionString;
        await ServiceHost.MigrateAsync(connectionString, CancellationToken.None);
        await using var ds = NpgsqlDataSource.Create(connectionString);
        using var node = ServeNode.Start(connectionString, _dir, "solo", new Dictionary<string, string>
        {
            ["Crm__Scheduler__Enabled"] = "false",
            ["Crm__Worker__WorkerCount"] = "2",
            ["Crm__Worker__RetryAttempts"] = "3",
            ["Crm__Worker__RetryDelaysSeconds__0"] = "1",
            ["Crm__Worker__InvisibilityTimeoutSeconds"] = "15",
        }, "--config", settings);
        Assert.True(await Poll.UntilAtLeastAsync(ds, "select count(*) from hangfire.server", 1, TimeSpan.FromSeconds(45), () => node.HasExited) == 1, node.Output);

        var (exit, output) = await CrmProcess.RunAsync(connectionString, _dir, TimeSpan.FromSeconds(60), "run", "orders", "--enqueue", "--config", settings);
        Assert.True(exit == 0, output);
        Assert.DoesNotContain("warning", output, StringComparison.Ordinal);
        var copying = await Poll.UntilAtLeastAsync(ds,
            "select count(*) from pg_stat_activity where datname = current_database() and query ilike 'copy staging.order_line%'", 1, TimeSpan.FromSeconds(45));
        Assert.True(copying == 1, "the stage did not start" + node.Output);

        Phase("stage is copying; restarting PostgreSQL");
        await PgCtlAsync(server.RootDirectory, "restart", "-m", "fast", "-w", "-t", "60");
        // The test's own pooled connections died with the server.
        ds.Clear();

        var succeeded = await Poll.UntilAtLeastAsync(ds,
            "select count(*) from hangfire.job where statename = 'Succeeded' and arguments::text like '%orders%'", 1, TimeSpan.FromSeconds(60));
        Assert.True(succeeded == 1, "the stage did not succeed after the restart\n" + node.Output);
        Phase("stage succeeded");
        // The job failed when the server went away, and Hangfire's retry ran it again.
        var states = await ds.ScalarAsync<string>(
            """
            select string_agg(s.name, ',' order by s.id) from hangfire.state s join hangfire.job j on j.id = s.jobid
            where j.arguments::text like '%orders%'
            """);
        Assert.StartsWith("Enqueued,Processing,Failed,Scheduled,Enqueued,Processing", states, StringComparison.Ordinal);
        Assert.EndsWith("Processing,Succeeded", states, StringComparison.Ordinal);
        // The data is one clean load.
        Assert.Equal((long)lines, await ds.ScalarAsync<long>("select count(*) from staging.order_line"));
        Assert.Equal((long)lines, await ds.ScalarAsync<long>("select count(*) from core.order_line"));
        Assert.Equal((long)lines / 3, await ds.ScalarAsync<long>("select count(*) from core.\"order\""));
        Assert.Equal($"1|{lines + 1}|{lines}|1|0", await ds.ScalarAsync<string>(OrderFeedFile.Fingerprints[2]));
        Assert.Equal("succeeded", await ds.ScalarAsync<string>("select status from ops.pipeline_stage where stage = 'orders'"));
        // The chain's last job closes the run: nothing is left 'running', and the stage took two attempts.
        Assert.True(await Poll.UntilAtLeastAsync(ds, "select count(*) from ops.pipeline_run where status = 'succeeded'", 1, TimeSpan.FromSeconds(60)) == 1, node.Output);
        Assert.Equal("succeeded|succeeded|2|0", await ds.ScalarAsync<string>(
            """
            select concat_ws('|', (select string_agg(status, ',') from ops.pipeline_run), s.status, s.attempts,
                              (select count(*) from ops.pipeline_stage where status = 'running') + (select count(*) from ops.pipeline_run where status = 'running'))
            from ops.pipeline_stage s where stage = 'orders'
            """));
        node.Kill9();
    }

    [Fact]
    public async Task PostgresRestartedUnderCrmRun_TheStageIsRetried_NothingStaysRunning_AndTheDataEqualsAnUndisturbedRun()
    {
        const int lines = 120_000;
        var (dataFile, settings) = await OrderFeedFile.WriteAsync(_dir, lines);
        // Two files: the restart comes while the second loads, so the first attempt has committed the first and failed.
        await OrderFeedFile.WriteSecondAsync(dataFile);
        // A cluster of its own: restarting the shared one would break every pooled connection of the other tests.
        var pgRoot = Path.Combine(Path.GetTempPath(), "crm-pgrestart-" + Guid.NewGuid().ToString("N")[..8]);
        using var cleanup = new DeleteOnDispose(pgRoot);
        await using var server = await EmbeddedPostgres.StartAsync(pgRoot, CancellationToken.None);
        await ServiceHost.MigrateAsync(server.ConnectionString, CancellationToken.None);
        await using var ds = NpgsqlDataSource.Create(server.ConnectionString);
        // The undisturbed run, on the shared cluster, at the same time.
        var clean = await cluster.CreateMigratedConnectionStringAsync("restartclean");
        await using var cleanDb = NpgsqlDataSource.Create(clean);
        var undisturbed = CrmProcess.RunAsync(clean, _dir, TimeSpan.FromSeconds(120), "run", "orders", "--config", settings);

        string output;
        using (var run = CrmProcess.Start(server.ConnectionString, _dir, "run", "orders", "--config", settings))
        {
            var stdout = run.StandardOutput.ReadToEndAsync();
            var stderr = run.StandardError.ReadToEndAsync();
            var copying = await Poll.UntilAtLeastAsync(ds,
                $"select count(*) from pg_stat_progress_copy where relid = 'staging.order_line'::regclass and tuples_processed between 1 and {lines - 1} and (select count(*) from ops.ingest_ledger) = 1",
                1, TimeSpan.FromSeconds(90), () => run.HasExited);
            if (copying != 1 || run.HasExited)
            {
                // Only here may the output be awaited: reading it to its end waits for the process to exit.
                Assert.Fail("the load was not caught mid-COPY: " + await stdout + await stderr);
            }

            Phase("crm run is copying; restarting PostgreSQL");
            await PgCtlAsync(server.RootDirectory, "restart", "-m", "fast", "-w", "-t", "60");
            // The test's own pooled connections died with the server.
            ds.Clear();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(180));
            await run.WaitForExitAsync(timeout.Token);
            output = await stdout + await stderr;
            Phase("crm run exited");
            log.WriteLine(output);
            Assert.True(run.ExitCode == 0, output);
        }

        // It said what happened, in one line and without a stack trace, and ran the stage again.
        Assert.Contains("Stage orders lost the warehouse (", output, StringComparison.Ordinal);
        Assert.Contains("); retry 1 of 3 as soon as it answers", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        Assert.Contains($"(attempt 2; over all attempts read {2 * (lines + 1)}, wrote {2 * lines})", output, StringComparison.Ordinal);
        Assert.Equal("succeeded|succeeded|2|0", await ds.ScalarAsync<string>(
            """
            select concat_ws('|', (select string_agg(status, ',') from ops.pipeline_run), s.status, s.attempts,
                              (select count(*) from ops.pipeline_stage where status = 'running') + (select count(*) from ops.pipeline_run where status = 'running'))
            from ops.pipeline_stage s where stage = 'orders'
            """));
        // Both attempts count: the first committed the first file before it failed, the second loaded the other (#16).
        Assert.Equal($"{2 * (lines + 1)}|{2 * lines}|1:failed:{lines + 1}:{lines},2:succeeded:{lines + 1}:{lines}", await ds.ScalarAsync<string>(
            """
            select concat_ws('|', s.rows_read, s.rows_written,
                              (select string_agg(concat_ws(':', a.attempt, a.status, a.rows_read, a.rows_written), ',' order by a.attempt)
                                 from ops.pipeline_stage_attempt a where a.run_id = s.run_id and a.stage = s.stage))
            from ops.pipeline_stage s where s.stage = 'orders'
            """));
        var (cleanExit, cleanOutput) = await undisturbed;
        Assert.True(cleanExit == 0, cleanOutput);
        foreach (var query in OrderFeedFile.Fingerprints)
        {
            Assert.Equal(await cleanDb.ScalarAsync<string>(query), await ds.ScalarAsync<string>(query));
        }

        Assert.Equal(2L * lines, await ds.ScalarAsync<long>("select count(*) from core.order_line"));
    }

    [Fact]
    public async Task OutboxDiskFull_FailsClearly_IsRetried_AndDeliveredOnceWhenSpaceIsBack()
    {
        await using var ds = await cluster.CreateMigratedDatabaseAsync("diskfull");
        await ReportWarehouse.FillAsync(ds);
        await using var outbox = await FullOutbox.CreateAsync(Path.Combine(_dir, "outbox"));
        var options = ReportWarehouse.Options(outbox: outbox.Path);

        var full = await ReportWarehouse.Service(ds, options).RunAsync(CancellationToken.None);

        var failure = Assert.Single(full.Outcomes);
        Assert.Equal("failed", failure.Status);
        Assert.Equal("failed", await ds.ScalarAsync<string>("select status from ops.report_delivery"));
        var error = await ds.ScalarAsync<string>("select error from ops.report_delivery");
        Assert.Contains("outbox " + outbox.Path, error, StringComparison.Ordinal);
        Assert.Contains(outbox.ExpectedError, error, StringComparison.Ordinal);
        // Nothing half-written is left behind to eat the space or be mistaken for a report.
        Assert.Equal([FullOutbox.FillerName], outbox.Files());

        outbox.FreeSpace();
        var retried = await ReportWarehouse.Service(ds, options).RunAsync(CancellationToken.None);
        var again = await ReportWarehouse.Service(ds, options).RunAsync(CancellationToken.None);

        Assert.Equal(1, retried.Sent);
        Assert.Equal("skipped", Assert.Single(again.Outcomes).Status);
        Assert.Equal("sent", await ds.ScalarAsync<string>("select status from ops.report_delivery"));
        Assert.Equal(options.AttemptsPerRun + 1, await ds.ScalarAsync<int>("select attempts from ops.report_delivery"));
        var files = outbox.Files();
        Assert.Single(files, f => f.EndsWith(".eml", StringComparison.Ordinal));
        Assert.Single(files, f => f.EndsWith(".html", StringComparison.Ordinal));
        Assert.Equal(2, files.Count);
    }

    private static readonly string[] TrainingFingerprints =
    [
        "select md5(string_agg((to_jsonb(f) - 'computed_at')::text, ',' order by cutoff, customer_id)) from ml.customer_features f",
        "select md5(string_agg((to_jsonb(m) - 'model_id' - 'created_at' - 'promoted_at')::text, ',' order by version)) from ml.model m",
        "select concat_ws('|', count(*), string_agg(concat_ws(':', source, severity, message), ',' order by source, message)) from ops.alert",
    ];

    private void Phase(string what) => log.WriteLine($"{_clock.Elapsed.TotalSeconds,6:0.0} s  {what}");

    private sealed class DeleteOnDispose(string path) : IDisposable
    {
        public void Dispose()
        {
            try
            {
                Directory.Delete(path, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task<NpgsqlDataSource> MigratedAsync(string connectionString)
    {
        await ServiceHost.MigrateAsync(connectionString, CancellationToken.None);
        return NpgsqlDataSource.Create(connectionString);
    }

    private static async Task PgCtlAsync(string root, params string[] args)
    {
        var pgCtl = Path.Combine(EmbeddedPostgres.FindBinaries(), "pg_ctl");
        var info = new ProcessStartInfo(Environment.UserName == "root" ? "runuser" : pgCtl) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (Environment.UserName == "root")
        {
            foreach (var a in (string[])["-u", "postgres", "--", pgCtl])
            {
                info.ArgumentList.Add(a);
            }
        }

        info.ArgumentList.Add("-D");
        info.ArgumentList.Add(Path.Combine(root, "pgdata"));
        info.ArgumentList.Add("-l");
        info.ArgumentList.Add(Path.Combine(root, "postgres.log"));
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"pg_ctl {string.Join(' ', args)}: {await stdout}{await stderr}");
    }
}

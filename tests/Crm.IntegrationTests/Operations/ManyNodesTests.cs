using System.Globalization;
using Crm.IntegrationTests.Infrastructure;
using Crm.Worker.Hosting;
using Npgsql;
using Xunit.Abstractions;

namespace Crm.IntegrationTests.Operations;

/// <summary>
/// Issue 10, "many nodes": three real <c>crm serve</c> processes on one PostgreSQL share the work,
/// run each job once, fire each schedule once, and finish the job of a node that was killed.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class ManyNodesTests(PostgresCluster cluster, ITestOutputHelper log) : IDisposable
{
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

    private static readonly string[] NodeNames = ["node-a", "node-b", "node-c"];
    private readonly string _dir = Directory.CreateTempSubdirectory("crm-nodes-").FullName;
    private readonly List<ServeNode> _nodes = [];

    public void Dispose()
    {
        foreach (var node in _nodes)
        {
            node.Dispose();
        }

        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task ThreeNodes_AThousandPingJobs_EachRunsExactlyOnce_AndEveryNodeRunsSome()
    {
        var (connectionString, ds) = await WarehouseAsync("pings");
        await using var _ = ds;
        // The nodes start while the jobs are being enqueued (both take seconds on a busy machine).
        StartNodes(connectionString, new() { ["Crm__Scheduler__Enabled"] = "false", ["Crm__Worker__WorkerCount"] = "3" });
        var ping = CrmProcess.RunAsync(connectionString, _dir, TimeSpan.FromSeconds(100), "ping", "--count", "1000", "--wait", "80");
        await WaitForNodesAsync(ds);

        var (exit, output) = await ping;

        Phase("crm ping returned: " + output.Trim().Replace('\n', ';'));
        Assert.True(exit == 0, output + Diagnostics());
        var batch = output.Split("batch ")[1].Split('\n')[0].Trim();
        // Every enqueued ping job is in Hangfire, succeeded, and has exactly one execution row.
        Assert.Equal(1000L, await ds.ScalarAsync<long>(
            $"select count(*) from hangfire.job where invocationdata::text like '%PingJob%' and arguments::text like '%{batch}%'"));
        Assert.Equal(1000L, await ds.ScalarAsync<long>(
            $"select count(*) from hangfire.job where invocationdata::text like '%PingJob%' and arguments::text like '%{batch}%' and statename = 'Succeeded'"));
        Assert.Equal(1000L, await ds.ScalarAsync<long>($"select count(*) from ops.ping where batch = '{batch}'"));
        Assert.Equal(1000L, await ds.ScalarAsync<long>($"select count(distinct job_id) from ops.ping where batch = '{batch}'"));
        Assert.Equal(0L, await ds.ScalarAsync<long>(
            $"select count(*) from ops.ping p where batch = '{batch}' and not exists (select 1 from hangfire.job j where j.id::text = p.job_id)"));
        // The work is spread: each of the three nodes ran some of it.
        var perNode = await PerNodeAsync(ds, batch);
        Assert.True(NodeNames.All(n => perNode.GetValueOrDefault(n) > 0),
            "runs per node: " + string.Join(", ", perNode.Select(p => $"{p.Key}={p.Value}")));
        Assert.Equal(1000L, perNode.Values.Sum());
    }

    [Fact]
    public async Task ThreeNodes_EachQuartzFiringEnqueuesItsJobOnce()
    {
        var (connectionString, ds) = await WarehouseAsync("fire3");
        await using var _ = ds;
        StartNodes(connectionString, new()
        {
            ["Crm__Schedules__0__Name"] = "every2s",
            ["Crm__Schedules__0__Job"] = "orders",
            ["Crm__Schedules__0__Cron"] = "0/2 * * * * ?",
            ["Crm__Schedules__0__TimeZone"] = "UTC",
            ["Crm__Scheduler__CheckinSeconds"] = "2",
            ["Crm__Worker__WorkerCount"] = "2",
        });
        await WaitForNodesAsync(ds);
        // Every node's scheduler has checked in to the cluster and registered the schedule a moment later:
        // from here on, every 2-second slot must be enqueued once (before, a node replacing the trigger at
        // start may legitimately move it past a slot).
        Assert.Equal(3L, await Poll.UntilAtLeastAsync(ds, "select count(*) from quartz.qrtz_scheduler_state", 3, TimeSpan.FromSeconds(30)));
        var steady = (await ds.ScalarAsync<DateTime>("select now()")).ToUniversalTime().AddSeconds(4);

        // Bounded: until ten firings have been enqueued and four of them are steady-state slots (the checks below),
        // or 45 s. Ten alone is not enough: nodes slow to start catch missed slots up in a burst before the steady time.
        await Poll.UntilAsync(
            async () =>
            {
                var seen = await ScheduledTimesAsync(ds);
                return seen.Count >= 10 && seen.Count(k => k >= steady) >= 4;
            },
            TimeSpan.FromSeconds(45));
        var firings = await ds.ScalarAsync<long>("select count(*) from ops.job_enqueue");
        Phase($"{firings} firings enqueued");
        // Stopped the way systemd stops them (SIGTERM), so no firing is cut off between its claim and its
        // enqueue; what a kill -9 in that window does is described in EnqueueJob.
        await Task.WhenAll(_nodes.Select(n => n.StopAsync()));
        Phase("nodes stopped");

        Assert.True(firings >= 10, $"only {firings} firings in 45 s" + Diagnostics());
        var keys = await ScheduledTimesAsync(ds);
        firings = keys.Count;
        Assert.Equal(keys.Distinct().Count(), keys.Count);
        // In steady state the occurrences are consecutive 2-second slots: none skipped, none twice.
        var late = keys.Where(k => k >= steady).ToList();
        Assert.True(late.Count >= 4, $"slots {string.Join(", ", keys.Select(k => k.ToString("HH:mm:ss", CultureInfo.InvariantCulture)))}, steady from {steady:HH:mm:ss}");
        Assert.Equal((long)((late[^1] - late[0]).TotalSeconds / 2) + 1, late.Count);
        // Each firing enqueued exactly one Hangfire job, and one pipeline run.
        Assert.Equal(firings, await ds.ScalarAsync<long>(
            "select count(*) from hangfire.job where invocationdata::text like '%StageJob%' and invocationdata::text like '%RunAsync%'"));
        Assert.Equal(firings, await ds.ScalarAsync<long>("select count(distinct hangfire_id) from ops.job_enqueue"));
        Assert.Equal(firings, await ds.ScalarAsync<long>("select count(*) from ops.pipeline_run where trigger_key is not null"));
        Assert.Equal(0L, await ds.ScalarAsync<long>(
            "select count(*) from (select run_id from ops.pipeline_stage group by run_id having count(*) > 1) d"));
    }

    [Fact]
    public async Task NodeKilledMidIngest_AnotherNodeTakesTheJobOver_AndTheWarehouseHasNoDuplicates()
    {
        const int lines = 60_000;
        var (dataFile, settings) = await OrderFeedFile.WriteAsync(_dir, lines);
        var (connectionString, ds) = await WarehouseAsync("nodekill");
        await using var _ = ds;
        StartNodes(connectionString, new()
        {
            ["Crm__Scheduler__Enabled"] = "false",
            ["Crm__Worker__WorkerCount"] = "2",
            ["Crm__Worker__InvisibilityTimeoutSeconds"] = "10",
        }, "--config", settings);
        var (exit, output) = await CrmProcess.RunAsync(connectionString, _dir, TimeSpan.FromSeconds(60), "run", "orders", "--enqueue", "--config", settings);
        Assert.True(exit == 0, output);

        // Wait until a node streams the file into staging, find which node it is, and kill -9 it.
        var copying = await Poll.UntilAtLeastAsync(ds,
            "select count(*) from pg_stat_activity where datname = current_database() and query ilike 'copy staging.order_line%'", 1, TimeSpan.FromSeconds(45));
        Assert.True(copying == 1, "no node started the ingest" + Diagnostics());
        Phase("a node is copying");
        var runningOn = await ds.ScalarAsync<string>(
            """
            select s.data::json->>'ServerId' from hangfire.job j join hangfire.state s on s.id = j.stateid
            where j.statename = 'Processing' and j.invocationdata::text like '%StageJob%'
            """);
        var victim = _nodes.Single(n => runningOn.StartsWith(n.Name + ":", StringComparison.Ordinal));
        victim.Kill9();
        Phase("killed " + victim.Name);
        Assert.Equal(0L, await ds.ScalarAsync<long>("select count(*) from ops.ingest_ledger"));

        // Another node takes the job once its invisibility timeout (10 s here) has passed, and completes it.
        var succeeded = await Poll.UntilAtLeastAsync(ds,
            "select count(*) from hangfire.job where statename = 'Succeeded' and invocationdata::text like '%StageJob%' and arguments::text like '%orders%'",
            1, TimeSpan.FromSeconds(60));
        Assert.True(succeeded == 1, "the job was not completed by another node" + Diagnostics());
        Phase("job succeeded");
        var processedBy = await ProcessingServersAsync(ds);
        Assert.True(processedBy.Count >= 2, "processing states: " + string.Join(", ", processedBy));
        Assert.StartsWith(victim.Name + ":", processedBy[0], StringComparison.Ordinal);
        Assert.DoesNotContain(victim.Name + ":", processedBy[^1], StringComparison.Ordinal);

        // Exactly one load in the warehouse: no duplicated staging rows, lines, orders or ledger rows.
        Assert.Equal((long)lines, await ds.ScalarAsync<long>("select count(*) from staging.order_line"));
        Assert.Equal((long)lines, await ds.ScalarAsync<long>("select count(*) from core.order_line"));
        Assert.Equal((long)lines / 3, await ds.ScalarAsync<long>("select count(*) from core.\"order\""));
        Assert.Equal($"1|{lines + 1}|{lines}|1|0", await ds.ScalarAsync<string>(OrderFeedFile.Fingerprints[2]));
        Assert.Equal(1L, await ds.ScalarAsync<long>("select count(*) from quarantine.record"));
        Assert.Equal("succeeded", await ds.ScalarAsync<string>("select status from ops.pipeline_stage where stage = 'orders'"));
        Assert.True(File.Exists(dataFile));
    }

    [Fact]
    public async Task AFiringEnqueuedTwice_RunsEachStageOnce_AndBothChainsFinish()
    {
        // What a node dying between a firing's Hangfire enqueue and the commit of its claim leaves
        // behind (see EnqueueJob): two chains of the same stages for one run.
        var (_, settings) = await OrderFeedFile.WriteAsync(_dir, 30_000);
        var (connectionString, ds) = await WarehouseAsync("twice");
        await using var _ = ds;
        var (runId, _) = await new Crm.Pipeline.Jobs.PipelineRunRecorder(ds).StartRunAsync("nightly", "every-night@2026-11-23T02:00:00Z", CancellationToken.None);
        // Hangfire's log provider is process-wide: an in-process host of another test may have left it
        // pointing at its disposed logger factory. This client needs none.
        Hangfire.Logging.LogProvider.SetCurrentLogProvider(null);
        var client = new Hangfire.BackgroundJobClient(HangfireSetup.CreateStorage(connectionString, new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build()));
        string[] stages = ["orders", "identity"];
        var firstIds = new[] { Crm.Pipeline.Jobs.NightlyChain.Enqueue(client, runId, "nightly", stages), Crm.Pipeline.Jobs.NightlyChain.Enqueue(client, runId, "nightly", stages) };
        StartNodes(connectionString, new() { ["Crm__Scheduler__Enabled"] = "false", ["Crm__Worker__WorkerCount"] = "2" }, "--config", settings);
        await WaitForNodesAsync(ds);

        // Both chains run to their end: 2 × (2 stages + the job that closes the run).
        var succeeded = await Poll.UntilAtLeastAsync(ds,
            "select count(*) from hangfire.job where statename = 'Succeeded' and invocationdata::text like '%StageJob%'", 6, TimeSpan.FromSeconds(90));
        Assert.True(succeeded == 6, $"{succeeded} of 6 chain jobs succeeded" + Diagnostics());

        // Each stage ran once: one stage row each, claimed by one job, and the other chain's job skipped it.
        Assert.Equal(2L, await ds.ScalarAsync<long>($"select count(*) from ops.pipeline_stage where run_id = '{runId}' and status = 'succeeded'"));
        Assert.Equal(1L, await ds.ScalarAsync<long>($"select count(*) from ops.pipeline_stage where run_id = '{runId}' and stage = 'orders' and hangfire_job_id in ('{firstIds[0]}', '{firstIds[1]}')"));
        var output = string.Concat(_nodes.Select(n => n.Output));
        Assert.Equal(2, output.Split("already succeeded in run " + runId).Length - 1);
        Assert.Equal(1L, await ds.ScalarAsync<long>("select count(*) from ops.ingest_ledger where source = 'orders'"));
        Assert.Equal(30_000L, await ds.ScalarAsync<long>("select count(*) from core.order_line"));
        Assert.Equal("succeeded", await ds.ScalarAsync<string>($"select status from ops.pipeline_run where run_id = '{runId}'"));
    }

    private async Task<(string ConnectionString, NpgsqlDataSource DataSource)> WarehouseAsync(string prefix)
    {
        // Migrated up front, so the three nodes do not all start on an empty database at once.
        var connectionString = await cluster.CreateMigratedConnectionStringAsync(prefix);
        return (connectionString, NpgsqlDataSource.Create(connectionString));
    }

    private void StartNodes(string connectionString, Dictionary<string, string> environment, params string[] args)
    {
        foreach (var name in NodeNames)
        {
            _nodes.Add(ServeNode.Start(connectionString, _dir, name, environment, args));
        }
    }

    private async Task WaitForNodesAsync(NpgsqlDataSource ds)
    {
        var servers = await Poll.UntilAtLeastAsync(ds, "select count(*) from hangfire.server", 3, TimeSpan.FromSeconds(45),
            () => _nodes.Any(n => n.HasExited));
        Assert.True(servers == 3, $"{servers} of 3 nodes came up" + Diagnostics());
        Phase("three nodes up");
    }

    private void Phase(string what) => log.WriteLine($"{_clock.Elapsed.TotalSeconds,6:0.0} s  {what}");

    private string Diagnostics() =>
        string.Concat(_nodes.Select(n => $"\n--- {n.Name} (exited: {n.HasExited}) ---\n{n.Output}"));

    private static async Task<Dictionary<string, long>> PerNodeAsync(NpgsqlDataSource ds, string batch)
    {
        var result = new Dictionary<string, long>();
        await using var command = ds.CreateCommand("select split_part(server_id, ':', 1), count(*) from ops.ping where batch = @b group by 1");
        command.Parameters.AddWithValue("b", batch);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            result[reader.GetString(0)] = reader.GetInt64(1);
        }

        return result;
    }

    private static async Task<List<DateTime>> ScheduledTimesAsync(NpgsqlDataSource ds)
    {
        var result = new List<DateTime>();
        await using var command = ds.CreateCommand("select enqueue_key from ops.job_enqueue");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var key = reader.GetString(0);
            result.Add(DateTime.Parse(key[(key.LastIndexOf('@') + 1)..], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal));
        }

        result.Sort();
        return result;
    }

    private static async Task<List<string>> ProcessingServersAsync(NpgsqlDataSource ds)
    {
        var result = new List<string>();
        await using var command = ds.CreateCommand(
            """
            select s.data::json->>'ServerId' from hangfire.state s join hangfire.job j on j.id = s.jobid
            where s.name = 'Processing' and j.invocationdata::text like '%StageJob%' and j.arguments::text like '%orders%'
            order by s.id
            """);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            result.Add(reader.GetString(0));
        }

        return result;
    }
}

using Crm.IntegrationTests.Infrastructure;
using Crm.Worker.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Crm.IntegrationTests.Scheduling;

[Collection(HostCollection.Name)]
public sealed class SchedulingTests(PostgresCluster cluster)
{
    private static IConfiguration Config(string cron, string zone = "Europe/Berlin") =>
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Crm:Schedules:0:Name"] = "every2s",
            ["Crm:Schedules:0:Job"] = "orders",
            ["Crm:Schedules:0:Cron"] = cron,
            ["Crm:Schedules:0:TimeZone"] = zone,
            ["Crm:Schedules:0:ExcludedDates:0"] = "2001-01-01",
            ["Crm:Scheduler:CheckinSeconds"] = "2",
            ["Crm:Worker:WorkerCount"] = "2",
            ["Crm:Worker:ShutdownSeconds"] = "10",
            ["Logging:LogLevel:Default"] = "Warning",
        }).Build();

    [Fact]
    public async Task TwoNodesOnOneDatabase_EachQuartzFiringRunsItsHangfireJobExactlyOnce()
    {
        var connectionString = await cluster.CreateMigratedConnectionStringAsync("sched");
        using var nodeA = ServiceHost.Build(Config("0/2 * * * * ?"), connectionString, "node-a");
        using var nodeB = ServiceHost.Build(Config("0/2 * * * * ?"), connectionString, "node-b");
        await nodeA.StartAsync();
        await nodeB.StartAsync();
        await using var dataSource = NpgsqlDataSource.Create(connectionString);

        // Bounded wait: until at least four firings have run their stage, or 40 s.
        await Poll.UntilAtLeastAsync(dataSource, "select count(*) from ops.pipeline_stage where stage = 'orders' and status = 'succeeded'", 4, TimeSpan.FromSeconds(40));

        await nodeA.StopAsync();
        await nodeB.StopAsync();

        var firings = await dataSource.ScalarAsync<long>("select count(*) from ops.job_enqueue");
        var distinctRuns = await dataSource.ScalarAsync<long>("select count(distinct trigger_key) from ops.pipeline_run where trigger_key is not null");
        var stageRuns = await dataSource.ScalarAsync<long>("select count(*) from ops.pipeline_stage where stage = 'orders' and status = 'succeeded'");
        var stageJobs = await dataSource.ScalarAsync<long>(
            "select count(*) from hangfire.job where invocationdata::text like '%RunAsync%' and arguments::text like '%orders%'");
        Assert.True(firings >= 4, $"expected at least 4 firings, saw {firings}");
        Assert.Equal(firings, distinctRuns);
        Assert.Equal(firings, stageJobs);
        Assert.True(stageRuns >= 4 && stageRuns <= firings, $"{stageRuns} stage runs for {firings} firings");
        Assert.Equal(0L, await dataSource.ScalarAsync<long>(
            "select count(*) from (select run_id from ops.pipeline_stage group by run_id having count(*) > 1) d"));
    }

    [Theory]
    [InlineData("0 0 25 * * ?", "UTC", "Crm:Schedules:0:Cron")]
    [InlineData("not a cron", "UTC", "Crm:Schedules:0:Cron")]
    [InlineData("0 0 2 * * ?", "Mars/Olympus", "Crm:Schedules:0:TimeZone")]
    public async Task StartUp_FailsWithTheSettingsName_WhenAScheduleIsInvalid(string cron, string zone, string setting)
    {
        var connectionString = await cluster.CreateDatabaseAsync("badopt");
        using var host = ServiceHost.Build(Config(cron, zone), connectionString, "bad");

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(setting, error.Message, StringComparison.Ordinal);
    }
}

using Crm.Pipeline;
using Crm.Pipeline.Warehouse;
using Crm.Worker.Scheduling;
using Crm.Worker.Settings;
using Hangfire;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Quartz;

namespace Crm.Worker.Hosting;

/// <summary>
/// The long-running service (<c>crm serve</c>): a Hangfire server doing the work, Quartz (clustered,
/// on PostgreSQL) deciding when, both on the warehouse database. Any number of nodes may run it.
/// </summary>
public static class ServiceHost
{
    /// <summary>Builds the host on an already resolved warehouse connection string.</summary>
    public static IHost Build(IConfiguration configuration, string connectionString, string? nodeName = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddConfiguration(configuration);
        builder.Services.AddLogging(l => CrmLogging.Configure(l, configuration, LogLevel.Information));
        builder.Services.AddSystemd();
        builder.Services.Configure<HostOptions>(o =>
        {
            o.ShutdownTimeout = TimeSpan.FromSeconds(configuration.GetValue("Crm:Worker:ShutdownSeconds", 30));
            o.ServicesStartConcurrently = false;
        });

        builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(connectionString));
        builder.Services.AddCrmPipeline(configuration);

        builder.Services.AddCrmWorkerOptions(configuration);

        // Hangfire does the work.
        builder.Services.AddHangfire(g => HangfireSetup.Configure(g, connectionString, configuration));
        builder.Services.AddHangfireServer(o =>
        {
            o.ServerName = nodeName ?? $"{Environment.MachineName}:{Environment.ProcessId}";
            o.WorkerCount = configuration.GetValue("Crm:Worker:WorkerCount", Math.Max(2, Environment.ProcessorCount));
            o.Queues = ["default"];
            // A job still running at shutdown is cancelled and handed back to the queue, not lost.
            o.ShutdownTimeout = TimeSpan.FromSeconds(configuration.GetValue("Crm:Worker:ShutdownSeconds", 30) - 5);
            o.SchedulePollingInterval = TimeSpan.FromSeconds(5);
        });

        // Runs and stages left 'running' by a process that died are marked abandoned, at start and then every few heartbeats.
        builder.Services.AddHostedService<AbandonedRunSweep>();

        // Quartz decides when.
        if (configuration.GetValue("Crm:Scheduler:Enabled", true))
        {
            builder.Services.AddQuartz(q =>
            {
                q.ConfigureScheduler(o =>
                {
                    o.InstanceName = "crm";
                    if (nodeName is not null)
                    {
                        o.InstanceId = nodeName;
                    }
                });
                q.UseDefaultThreadPool(2);
                q.UsePersistentStore(s =>
                {
                    s.UsePostgres(pg => pg.ConnectionString = connectionString);
                    s.ConfigureStore(o =>
                    {
                        o.TablePrefix = "quartz.qrtz_";
                        o.StoreJobDataAsStrings = true;
                    });
                    s.UseClustering(c =>
                    {
                        c.CheckinInterval = TimeSpan.FromSeconds(configuration.GetValue("Crm:Scheduler:CheckinSeconds", 10));
                        c.CheckinMisfireThreshold = TimeSpan.FromSeconds(configuration.GetValue("Crm:Scheduler:CheckinSeconds", 10) * 2);
                    });
                    s.UseSystemTextJsonSerializer();
                });
            });
            builder.Services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
            builder.Services.AddHostedService<ScheduleRegistrar>();
        }

        return builder.Build();
    }

    /// <summary>Applies pending migrations before anything else touches the database.</summary>
    public static Task MigrateAsync(string connectionString, CancellationToken cancellationToken)
    {
        var dataSource = NpgsqlDataSource.Create(connectionString);
        return MigrateCoreAsync(dataSource, cancellationToken);
    }

    private static async Task MigrateCoreAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using (dataSource.ConfigureAwait(false))
        {
            await new Migrator(dataSource).MigrateAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}

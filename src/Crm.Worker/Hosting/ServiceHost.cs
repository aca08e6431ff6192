using Crm.Dashboard;
using Crm.Pipeline;
using Crm.Pipeline.Notifications;
using Crm.Pipeline.Warehouse;
using Crm.Worker.Scheduling;
using Crm.Worker.Settings;
using Hangfire;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Quartz;

namespace Crm.Worker.Hosting;

/// <summary>
/// The long-running hosts, built through one path so that every setting source (<see cref="CrmConfiguration"/>),
/// the logging (<see cref="CrmLogging"/>), the warehouse and Hangfire's storage (<see cref="HangfireSetup"/>) mean
/// the same in each: the service (<c>crm serve</c>: a Hangfire server doing the work and Quartz, clustered on
/// PostgreSQL, deciding when; by default with the dashboard in the same process on the same warehouse) and the
/// dashboard alone (<c>crm dashboard</c>). Any number of nodes may run the service.
/// </summary>
public static class ServiceHost
{
    /// <summary>
    /// Builds the service on an already resolved warehouse connection string; with <paramref name="dashboard"/>, the
    /// dashboard too, listening on <see cref="Urls"/>.
    /// </summary>
    public static IHost Build(IConfiguration configuration, string connectionString, string? nodeName = null, bool dashboard = false)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (dashboard)
        {
            var web = WebBuilder(configuration);
            AddCommon(web, configuration, connectionString);
            AddWorker(web.Services, configuration, connectionString, nodeName);
            web.AddCrmDashboard();
            return web.Build().UseCrmDashboard();
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddConfiguration(configuration);
        AddCommon(builder, configuration, connectionString);
        AddWorker(builder.Services, configuration, connectionString, nodeName);
        return builder.Build();
    }

    /// <summary>
    /// Builds the dashboard alone (<c>crm dashboard</c>) on an already resolved warehouse connection string;
    /// <paramref name="configure"/> may add to the builder last (a test's clock or log sink).
    /// </summary>
    public static WebApplication BuildDashboard(IConfiguration configuration, string connectionString, Action<WebApplicationBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var web = WebBuilder(configuration);
        AddCommon(web, configuration, connectionString);
        if (configuration.GetValue("Crm:Scheduler:Enabled", true))
        {
            // The Schedules page: the store only; this process never fires a trigger.
            AddQuartz(web.Services, configuration, connectionString, $"dashboard:{Environment.MachineName}:{Environment.ProcessId}");
        }

        web.AddCrmDashboard();
        configure?.Invoke(web);
        return web.Build().UseCrmDashboard();
    }

    /// <summary>Where the dashboard listens: <c>urls</c> or <c>ASPNETCORE_URLS</c> (semicolon-separated), else <see cref="DashboardApp.DefaultUrl"/>.</summary>
    public static string Urls(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return configuration["urls"] is { Length: > 0 } urls ? urls
            : configuration["ASPNETCORE_URLS"] is { Length: > 0 } env ? env
            : DashboardApp.DefaultUrl;
    }

    private static WebApplicationBuilder WebBuilder(IConfiguration configuration)
    {
        var web = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, Args = [] });
        // Our settings only, exactly as the worker and every command read them.
        web.Configuration.Sources.Clear();
        web.Configuration.AddConfiguration(configuration);
        web.WebHost.UseUrls(Urls(configuration));
        return web;
    }

    private static void AddCommon(IHostApplicationBuilder builder, IConfiguration configuration, string connectionString)
    {
        CrmLogging.Configure(builder.Logging, configuration, LogLevel.Information);
        Systemd.Add(builder.Services);
        builder.Services.Configure<HostOptions>(o =>
        {
            o.ShutdownTimeout = TimeSpan.FromSeconds(configuration.GetValue("Crm:Worker:ShutdownSeconds", 30));
            o.ServicesStartConcurrently = false;
        });
        builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(connectionString));
        builder.Services.AddSingleton(new Pipeline.Backup.WarehouseConnection(connectionString));
        builder.Services.AddCrmPipeline(configuration);
        builder.Services.AddCrmWorkerOptions(configuration);
        builder.Services.AddHangfire(g => HangfireSetup.Configure(g, connectionString, configuration));
        HangfireSetup.AddRunScopedStateChanges(builder.Services);
    }

    private static void AddWorker(IServiceCollection services, IConfiguration configuration, string connectionString, string? nodeName)
    {
        // Hangfire does the work.
        services.AddHangfireServer(o =>
        {
            o.ServerName = nodeName ?? $"{Environment.MachineName}:{Environment.ProcessId}";
            o.WorkerCount = configuration.GetValue("Crm:Worker:WorkerCount", Math.Max(2, Environment.ProcessorCount));
            o.Queues = ["default"];
            // A job still running at shutdown is cancelled and handed back to the queue, not lost.
            o.ShutdownTimeout = TimeSpan.FromSeconds(configuration.GetValue("Crm:Worker:ShutdownSeconds", 30) - 5);
            o.SchedulePollingInterval = TimeSpan.FromSeconds(5);
        });

        // Runs and stages left 'running' by a process that died are marked abandoned, at start and then every few heartbeats.
        services.AddHostedService<AbandonedRunSweep>();

        // Admins are told of failed runs, alerts, silent sources and a missed nightly (Crm:Notifications), once per incident.
        services.AddHostedService<NotificationWatcher>();

        // Quartz decides when.
        if (configuration.GetValue("Crm:Scheduler:Enabled", true))
        {
            AddQuartz(services, configuration, connectionString, nodeName);
            services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
            services.AddHostedService<ScheduleRegistrar>();
        }
    }

    /// <summary>
    /// Quartz on its clustered PostgreSQL store, and the Schedules page's access to it. The worker starts the scheduler
    /// (a hosted service added by the caller); the dashboard alone only reads and writes the store through it.
    /// </summary>
    private static void AddQuartz(IServiceCollection services, IConfiguration configuration, string connectionString, string? nodeName)
    {
        services.AddQuartz(q =>
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
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<Crm.Dashboard.Schedules.IScheduleAdmin, QuartzScheduleAdmin>();
    }

    /// <summary>
    /// Starts <paramref name="host"/>, runs <paramref name="started"/> (the start-up messages), and waits until a stop
    /// is asked for (SIGTERM, Ctrl+C, <paramref name="cancellationToken"/>); then stops the host, whatever point it
    /// had reached, so its workers hand running jobs back and the process can end.
    /// </summary>
    public static async Task RunAsync(IHost host, Func<Task> started, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(started);
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        var stopped = false;
        try
        {
            await started().ConfigureAwait(false);
            // Returns once the host has stopped.
            await host.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
            stopped = true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Asked to stop while still starting up: stop below, as after a normal run.
        }
        finally
        {
            if (!stopped)
            {
                await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
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

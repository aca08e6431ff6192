using Crm.Pipeline.Jobs;
using Crm.Pipeline.Retention;
using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.Client;
using Hangfire.Common;
using Hangfire.Server;
using Hangfire.States;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Crm.Worker.Hosting;

/// <summary>Hangfire on PostgreSQL (schema <c>hangfire</c>), as the service and the commands use it.</summary>
public static class HangfireSetup
{
    /// <summary>Default of <c>Crm:Worker:InvisibilityTimeoutSeconds</c>: 5 minutes.</summary>
    public const int DefaultInvisibilityTimeoutSeconds = 300;

    /// <summary>
    /// How long a job taken by a node that then died (kill -9, power loss) stays invisible before another
    /// node takes it: <c>Crm:Worker:InvisibilityTimeoutSeconds</c>. A live node keeps its running jobs
    /// invisible however long they take (the timeout slides), so this only bounds the recovery delay.
    /// </summary>
    /// <exception cref="InvalidOperationException">The setting is below 5 seconds.</exception>
    public static TimeSpan InvisibilityTimeout(IConfiguration configuration)
    {
        var seconds = configuration.GetValue("Crm:Worker:InvisibilityTimeoutSeconds", DefaultInvisibilityTimeoutSeconds);
        if (seconds < 5)
        {
            throw new InvalidOperationException($"Crm:Worker:InvisibilityTimeoutSeconds must be at least 5 (seconds); got {seconds}.");
        }

        return TimeSpan.FromSeconds(seconds);
    }

    /// <summary>Storage options: our schema, and the sliding invisibility timeout so a long job is never handed out twice while it runs.</summary>
    public static PostgreSqlStorageOptions StorageOptions(IConfiguration configuration) => new()
    {
        SchemaName = "hangfire",
        PrepareSchemaIfNecessary = true,
        UseSlidingInvisibilityTimeout = true,
        InvisibilityTimeout = InvisibilityTimeout(configuration),
        QueuePollInterval = TimeSpan.FromSeconds(configuration.GetValue("Crm:Hangfire:QueuePollSeconds", 1.0)),
        DistributedLockTimeout = TimeSpan.FromMinutes(1),
        JobExpirationCheckInterval = TimeSpan.FromMinutes(30),
    };

    /// <summary>The retry settings (<c>Crm:Worker:RetryAttempts</c>, <c>Crm:Worker:RetryDelaysSeconds</c>).</summary>
    /// <exception cref="InvalidOperationException">A setting is out of range; the message names it.</exception>
    public static JobRetryOptions RetryOptions(IConfiguration configuration)
    {
        var options = new JobRetryOptions();
        configuration.GetSection("Crm:Worker").Bind(options);
        var failures = options.Validate();
        if (failures.Count > 0)
        {
            throw new InvalidOperationException(string.Join(" ", failures));
        }

        return options;
    }

    /// <summary>Creates the storage on <paramref name="connectionString"/>.</summary>
    public static PostgreSqlStorage CreateStorage(string connectionString, IConfiguration configuration) =>
        new(new NpgsqlConnectionFactory(connectionString, StorageOptions(configuration)), StorageOptions(configuration));

    /// <summary>
    /// Global configuration shared by every Hangfire client and server in the process: the retry
    /// policy (Hangfire's built-in global <see cref="AutomaticRetryAttribute"/> of 10 attempts is
    /// replaced by one built from <see cref="RetryOptions"/>; a job method's own attribute still wins,
    /// <see cref="Crm.Pipeline.Jobs.PingJob"/> is never retried) and finished jobs expiring after
    /// <c>Crm:Retention:HangfireJobDays</c> (7 by default).
    /// </summary>
    public static IGlobalConfiguration Configure(IGlobalConfiguration global, string connectionString, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(global);
        var retry = RetryOptions(configuration);
        // Hangfire's filters are process-wide: drop the default (and any earlier host's) filters first.
        foreach (var existing in GlobalJobFilters.Filters.Where(f => f.Instance is AutomaticRetryAttribute or JobExpirationFilter).ToList())
        {
            GlobalJobFilters.Filters.Remove(existing.Instance);
        }

        return global.SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseFilter(new AutomaticRetryAttribute
            {
                Attempts = retry.RetryAttempts,
                DelaysInSeconds = [.. retry.EffectiveDelaysSeconds],
                LogEvents = true,
            })
            .UseFilter(ExpirationFilter(configuration))
            .UsePostgreSqlStorage(o => o.UseNpgsqlConnection(connectionString), StorageOptions(configuration));
    }

    /// <summary>
    /// Registers Hangfire's job factory, performer and state changer, the last wrapped in <see cref="RunScopedStateChanger"/>
    /// so Hangfire's own lines about a run's job (retries, failures, continuations) carry the run id. The server and the
    /// clients take these three from the container only when all three are there; they are Hangfire's defaults otherwise.
    /// </summary>
    public static void AddRunScopedStateChanges(IServiceCollection services)
    {
        services.AddSingleton<IBackgroundJobFactory>(sp => new BackgroundJobFactory(sp.GetRequiredService<IJobFilterProvider>()));
        services.AddSingleton<IBackgroundJobPerformer>(sp =>
            new BackgroundJobPerformer(sp.GetRequiredService<IJobFilterProvider>(), sp.GetRequiredService<JobActivator>(), TaskScheduler.Default));
        services.AddSingleton<IBackgroundJobStateChanger>(sp => new RunScopedStateChanger(
            new BackgroundJobStateChanger(sp.GetRequiredService<IJobFilterProvider>()), sp.GetRequiredService<ILogger<RunScopedStateChanger>>()));
    }

    /// <summary>The job expiry filter for the configured <c>Crm:Retention:HangfireJobDays</c>.</summary>
    public static JobExpirationFilter ExpirationFilter(IConfiguration configuration) =>
        new(configuration.GetValue("Crm:Retention:HangfireJobDays", new RetentionOptions().HangfireJobDays));
}

using Crm.Pipeline.Ops;
using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Microsoft.Extensions.Configuration;

namespace Crm.Worker.Hosting;

/// <summary>Hangfire on PostgreSQL (schema <c>hangfire</c>), as the service and the commands use it.</summary>
public static class HangfireSetup
{
    /// <summary>Storage options: our schema, and the sliding invisibility timeout so a long job is never handed out twice while it runs.</summary>
    public static PostgreSqlStorageOptions StorageOptions(IConfiguration configuration) => new()
    {
        SchemaName = "hangfire",
        PrepareSchemaIfNecessary = true,
        UseSlidingInvisibilityTimeout = true,
        InvisibilityTimeout = TimeSpan.FromMinutes(5),
        QueuePollInterval = TimeSpan.FromSeconds(configuration.GetValue("Crm:Hangfire:QueuePollSeconds", 1.0)),
        DistributedLockTimeout = TimeSpan.FromMinutes(1),
        JobExpirationCheckInterval = TimeSpan.FromMinutes(30),
    };

    /// <summary>Creates the storage on <paramref name="connectionString"/>.</summary>
    public static PostgreSqlStorage CreateStorage(string connectionString, IConfiguration configuration) =>
        new(new NpgsqlConnectionFactory(connectionString, StorageOptions(configuration)), StorageOptions(configuration));

    /// <summary>
    /// Global configuration shared by every Hangfire client and server in the process, with finished jobs
    /// expiring after <c>Crm:Retention:HangfireJobDays</c> (7 by default).
    /// </summary>
    public static IGlobalConfiguration Configure(IGlobalConfiguration global, string connectionString, IConfiguration configuration) =>
        global.SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseFilter(ExpirationFilter(configuration))
            .UsePostgreSqlStorage(o => o.UseNpgsqlConnection(connectionString), StorageOptions(configuration));

    /// <summary>The job expiry filter for the configured <c>Crm:Retention:HangfireJobDays</c>.</summary>
    public static JobExpirationFilter ExpirationFilter(IConfiguration configuration) =>
        new(configuration.GetValue("Crm:Retention:HangfireJobDays", new RetentionOptions().HangfireJobDays));
}

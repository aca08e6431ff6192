using System.CommandLine;
using Crm.Worker.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Crm.Worker.Settings;

namespace Crm.Worker.Commands;

/// <summary>
/// <c>crm serve</c>: runs the service (Hangfire server + Quartz scheduler) until stopped, with the dashboard in the
/// same process on the same warehouse unless <c>--no-dashboard</c>.
/// </summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var node = new Option<string?>("--node") { Description = "Node name shown on the dashboard (default host:pid)" };
        var noDashboard = new Option<bool>("--no-dashboard") { Description = "Run the jobs and the scheduler only (the dashboard runs elsewhere: crm dashboard)" };
        var command = new Command("serve", "Run the service: scheduled jobs, the job queue and the dashboard, until stopped (Ctrl+C / SIGTERM)") { node, noDashboard };
        command.SetAction(async (parse, ct) =>
        {
            var configuration = CrmConfiguration.Build(parse.GetValue(CommonOptions.Config));
            CrmSettings.ThrowIfInvalid(configuration);
            await using var warehouse = await Hosting.Warehouse.ResolveAsync(configuration, ct).ConfigureAwait(false);
            await ServiceHost.MigrateAsync(warehouse.ConnectionString, ct).ConfigureAwait(false);
            var dashboard = !parse.GetValue(noDashboard);
            using var host = ServiceHost.Build(configuration, warehouse.ConnectionString, parse.GetValue(node), dashboard);
            await ServiceHost.RunAsync(host, async () =>
            {
                if (warehouse.IsEmbedded)
                {
                    Console.WriteLine($"warehouse: embedded PostgreSQL in {warehouse.EmbeddedDirectory}");
                }

                if (dashboard)
                {
                    Console.WriteLine($"dashboard: {ServiceHost.Urls(configuration).Split(';')[0].TrimEnd('/')}/hangfire (users from Crm:Dashboard:Users)");
                }

                Console.WriteLine("crm serve: running; Ctrl+C to stop");
                await LogCheckAsync(host, configuration, warehouse.ConnectionString, ct).ConfigureAwait(false);
            }, ct).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    /// <summary>The findings of <c>crm check</c>, logged once at start (errors as errors, warnings as warnings).</summary>
    internal static async Task LogCheckAsync(IHost host, IConfiguration configuration, string connectionString, CancellationToken cancellationToken)
    {
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Crm.Check");
        var findings = await Doctor.RunAsync(configuration, connectionString, greetServers: true, cancellationToken).ConfigureAwait(false);
        foreach (var finding in findings)
        {
            var level = finding.Level switch { CheckLevel.Error => LogLevel.Error, CheckLevel.Warning => LogLevel.Warning, _ => LogLevel.Information };
            ServeLog.Finding(logger, level, finding.Subject, finding.Message);
        }

        ServeLog.Summary(logger, Doctor.Summary(findings));
    }
}

/// <summary>Log messages of <c>crm serve</c>.</summary>
internal static partial class ServeLog
{
    [LoggerMessage(EventId = 1, Message = "check: {Subject}: {Finding}")]
    public static partial void Finding(ILogger logger, LogLevel level, string subject, string finding);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "check: {Summary} (crm check prints the same)")]
    public static partial void Summary(ILogger logger, string summary);
}

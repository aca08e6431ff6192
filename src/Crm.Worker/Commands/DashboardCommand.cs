using System.CommandLine;
using Crm.Worker.Hosting;
using Crm.Worker.Settings;

namespace Crm.Worker.Commands;

/// <summary>
/// <c>crm dashboard</c>: the dashboard alone (a node of its own), on the configured warehouse or the embedded one,
/// with the same settings, logging and Hangfire storage as <c>crm serve</c>.
/// </summary>
internal static class DashboardCommand
{
    public static Command Create()
    {
        var command = new Command("dashboard", "Run the dashboard alone (crm serve runs it beside the jobs), until stopped");
        command.SetAction(async (parse, ct) =>
        {
            var configuration = CrmConfiguration.Build(parse.GetValue(CommonOptions.Config));
            CrmSettings.ThrowIfInvalid(configuration);
            await using var warehouse = await Hosting.Warehouse.ResolveAsync(configuration, ct).ConfigureAwait(false);
            await ServiceHost.MigrateAsync(warehouse.ConnectionString, ct).ConfigureAwait(false);
            await using var app = ServiceHost.BuildDashboard(configuration, warehouse.ConnectionString);
            await ServiceHost.RunAsync(app, () =>
            {
                Console.WriteLine($"dashboard: {ServiceHost.Urls(configuration).Split(';')[0].TrimEnd('/')}/hangfire (users from Crm:Dashboard:Users); Ctrl+C to stop");
                return Task.CompletedTask;
            }, ct).ConfigureAwait(false);
            return 0;
        });
        return command;
    }
}

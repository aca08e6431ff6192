using System.CommandLine;
using Crm.Worker.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Crm.Worker.Commands;

/// <summary><c>crm serve</c>: runs the service (Hangfire server + Quartz scheduler) until stopped.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var node = new Option<string?>("--node") { Description = "Node name shown on the dashboard (default host:pid)" };
        var command = new Command("serve", "Run the service: scheduled jobs and the job queue, until stopped (Ctrl+C / SIGTERM)") { node };
        command.SetAction(async (parse, ct) =>
        {
            var configuration = CrmConfiguration.Build(parse.GetValue(CommonOptions.Config));
            await using var warehouse = await Hosting.Warehouse.ResolveAsync(configuration, ct).ConfigureAwait(false);
            await ServiceHost.MigrateAsync(warehouse.ConnectionString, ct).ConfigureAwait(false);
            using var host = ServiceHost.Build(configuration, warehouse.ConnectionString, parse.GetValue(node));
            try
            {
                await host.StartAsync(ct).ConfigureAwait(false);
            }
            catch (OptionsValidationException e)
            {
                await Console.Error.WriteLineAsync("crm serve: invalid settings:\n  " + string.Join("\n  ", e.Failures)).ConfigureAwait(false);
                return 3;
            }

            if (warehouse.IsEmbedded)
            {
                Console.WriteLine($"warehouse: embedded PostgreSQL in {warehouse.EmbeddedDirectory}");
            }

            Console.WriteLine("crm serve: running; Ctrl+C to stop");
            await host.WaitForShutdownAsync(ct).ConfigureAwait(false);
            return 0;
        });
        return command;
    }
}

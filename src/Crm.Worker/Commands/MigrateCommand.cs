using System.CommandLine;

namespace Crm.Worker.Commands;

/// <summary><c>crm migrate</c>: applies pending warehouse migrations.</summary>
internal static class MigrateCommand
{
    public static Command Create()
    {
        var command = new Command("migrate", "Apply pending warehouse migrations (the service also migrates at start)");
        command.SetAction(async (parse, ct) =>
        {
            await using var host = await CommandHost.StartAsync(parse.GetValue(CommonOptions.Config), ct, migrate: false).ConfigureAwait(false);
            var applied = await new Pipeline.Warehouse.Migrator(host.DataSource).MigrateAsync(ct).ConfigureAwait(false);
            Console.WriteLine(applied.Count == 0 ? "warehouse is up to date" : $"applied {applied.Count}: {string.Join(", ", applied)}");
            return 0;
        });
        return command;
    }
}

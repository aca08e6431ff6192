using System.CommandLine;
using System.Diagnostics;
using Crm.Pipeline.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Spectre.Console;

namespace Crm.Worker.Commands;

/// <summary>
/// <c>crm demo</c>: on a fresh machine with no configuration, starts the embedded PostgreSQL,
/// migrates, runs every stage of this build once on the bundled sample data and prints a summary.
/// Running it again is safe: what was loaded is recognised and skipped.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var command = new Command("demo", "Run the whole pipeline once on the bundled sample data and print a summary");
        command.SetAction(async (parse, ct) =>
        {
            var watch = Stopwatch.StartNew();
            var configFiles = parse.GetValue(CommonOptions.Config);
            var dataDirectory = Hosting.CrmConfiguration.Build(configFiles)["Crm:DataDirectory"] is { Length: > 0 } d ? d : ".crm";
            var company = Path.GetFullPath(Path.Combine(dataDirectory, "demo-company"));
            Console.WriteLine(DemoCompany.Ensure(company, ct)
                ? $"crm demo: generated the demo company in {company} ({DemoCompany.Options(company).Customers:N0} people, {DemoCompany.Options(company).Start:yyyy-MM-dd} to {DemoCompany.Today.AddDays(-1):yyyy-MM-dd}; today is {DemoCompany.Today:yyyy-MM-dd})"
                : $"crm demo: the demo company in {company} is ready (today is {DemoCompany.Today:yyyy-MM-dd})");
            Console.WriteLine("crm demo: starting the warehouse…");
            await using var host = await CommandHost.StartAsync(configFiles, ct, extraJson: DemoSettings.Build(company)).ConfigureAwait(false);
            Console.WriteLine(host.Warehouse.IsEmbedded
                ? $"warehouse: embedded PostgreSQL in {host.Warehouse.EmbeddedDirectory} (migrated)"
                : "warehouse: configured connection string (migrated)");
            var runner = host.Services.GetRequiredService<PipelineRunner>();
            Console.WriteLine($"stages: {string.Join(" → ", runner.StageNames)}");

            // The stages up to the reports, then the scores and values of the earlier days the reports compare with
            // (a server keeps them from its nightly runs), then the reports and what follows.
            var stages = runner.StageNames;
            var reportsAt = stages.ToList().IndexOf("reports");
            var before = reportsAt < 0 ? stages : stages.Take(reportsAt).ToList();
            var results = (await runner.RunAsync(before, "demo", s => new ConsoleProgress(s), ct).ConfigureAwait(false)).ToList();
            if (reportsAt >= 0)
            {
                if (before.Contains("score"))
                {
                    Console.WriteLine("  [history] " + await DemoHistory.RunAsync(host.Services, host.Configuration, ct).ConfigureAwait(false));
                }

                results.AddRange(await runner.RunAsync(stages.Skip(reportsAt), "demo", s => new ConsoleProgress(s), ct).ConfigureAwait(false));
            }

            var table = new Table().Border(TableBorder.Rounded)
                .AddColumn("stage").AddColumn(new TableColumn("read").RightAligned()).AddColumn(new TableColumn("written").RightAligned())
                .AddColumn(new TableColumn("time").RightAligned()).AddColumn("summary");
            foreach (var (stage, result, elapsed) in results)
            {
                table.AddRow(stage, result.RowsRead.ToString("N0", System.Globalization.CultureInfo.InvariantCulture),
                    result.RowsWritten.ToString("N0", System.Globalization.CultureInfo.InvariantCulture),
                    $"{elapsed.TotalSeconds:0.0} s", Markup.Escape(result.Summary));
            }

            AnsiConsole.Write(table);
            await PrintWarehouseTotalsAsync(host.DataSource, ct).ConfigureAwait(false);
            Console.WriteLine($"demo finished in {watch.Elapsed.TotalSeconds:0.0} s");
            return 0;
        });
        return command;
    }

    private static async Task PrintWarehouseTotalsAsync(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            """
            select source, count(*), coalesce(sum(read_count), 0), coalesce(sum(loaded_count), 0),
                   coalesce(sum(quarantined_count), 0), coalesce(sum(duplicate_count), 0)
            from ops.ingest_ledger group by source order by source
            """);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        Console.WriteLine("warehouse totals (every load so far):");
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            Console.WriteLine($"  {reader.GetString(0)}: {reader.GetInt64(1)} unit(s); read {reader.GetInt64(2)}, loaded {reader.GetInt64(3)}, quarantined {reader.GetInt64(4)}, duplicate {reader.GetInt64(5)}");
        }
    }
}

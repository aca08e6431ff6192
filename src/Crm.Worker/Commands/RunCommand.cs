using System.CommandLine;
using Crm.Pipeline.Jobs;
using Crm.Pipeline.Ops;
using Crm.Worker.Hosting;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.Worker.Commands;

/// <summary>
/// <c>crm run &lt;stage…|nightly&gt; [--enqueue]</c>: runs stages now in this process, or enqueues them
/// as a Hangfire chain for the running service to pick up.
/// </summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var stages = new Argument<string[]>("stages") { Description = "Stage names in any order (orders, weblogs, …), or 'nightly' for all", Arity = ArgumentArity.OneOrMore };
        var enqueue = new Option<bool>("--enqueue") { Description = "Enqueue into Hangfire for the service instead of running here" };
        var command = new Command("run", "Run pipeline stages now") { stages, enqueue };
        command.SetAction(async (parse, ct) =>
        {
            await using var host = await CommandHost.StartAsync(parse.GetValue(CommonOptions.Config), ct).ConfigureAwait(false);
            var runner = host.Services.GetRequiredService<PipelineRunner>();
            var names = parse.GetValue(stages) ?? [];
            var wanted = names.Contains("nightly", StringComparer.Ordinal) ? runner.StageNames : names.ToList();
            if (parse.GetValue(enqueue))
            {
                var storage = HangfireSetup.CreateStorage(host.Warehouse.ConnectionString, host.Configuration);
                var client = new BackgroundJobClient(storage);
                var (runId, _) = await host.Services.GetRequiredService<PipelineRunRecorder>().StartRunAsync("manual", null, ct).ConfigureAwait(false);
                var ordered = runner.StageNames.Where(wanted.Contains).ToList();
                var first = NightlyChain.Enqueue(client, runId, "manual", ordered);
                Console.WriteLine($"enqueued run {runId}: {string.Join(" → ", ordered)} (first job {first})");
                return 0;
            }

            var results = await runner.RunAsync(wanted, "manual", s => new ConsoleProgress(s), ct).ConfigureAwait(false);
            foreach (var (stage, result, elapsed) in results)
            {
                Console.WriteLine($"{stage}: {result.Summary} ({elapsed.TotalSeconds:0.0} s)");
            }

            return 0;
        });
        return command;
    }
}

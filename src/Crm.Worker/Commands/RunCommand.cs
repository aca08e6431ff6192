using System.CommandLine;
using Crm.Pipeline.Jobs;
using Crm.Pipeline.Warehouse;
using Crm.Worker.Hosting;
using Hangfire;
using Hangfire.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.Worker.Commands;

/// <summary>
/// <c>crm run &lt;stage…|nightly&gt; [--enqueue]</c>: runs stages now in this process, or enqueues them
/// as a Hangfire chain for the running service to pick up.
/// </summary>
internal static class RunCommand
{
    /// <summary>A service node that has not beaten its Hangfire heartbeat for this long is not counted as running.</summary>
    private static readonly TimeSpan NodeSilence = TimeSpan.FromMinutes(2);

    public static Command Create()
    {
        var stages = new Argument<string[]>("stages") { Description = "Stage names in any order (orders, weblogs, …), or 'nightly' for all", Arity = ArgumentArity.OneOrMore };
        stages.Validators.Add(result =>
        {
            foreach (var name in result.GetValueOrDefault<string[]>() ?? [])
            {
                if (name != "nightly" && !PipelineStages.Order.Contains(name))
                {
                    result.AddError($"unknown stage '{name}'; the stages are {string.Join(", ", PipelineStages.Order)}, or nightly for all of them");
                }
            }
        });
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
                var recorder = host.Services.GetRequiredService<PipelineRunRecorder>();
                await recorder.MarkAbandonedAsync(ct).ConfigureAwait(false);
                var (runId, _) = await recorder.StartRunAsync("manual", null, ct).ConfigureAwait(false);
                var ordered = PipelineStages.Sort(host.Services.GetServices<IPipelineStage>()).Select(s => s.Name).Where(wanted.Contains).ToList();
                var first = NightlyChain.Enqueue(client, runId, "manual", ordered);
                Console.WriteLine($"enqueued run {runId}: {string.Join(" → ", ordered)} (first job {first})");
                if (NoRecentNode(storage.GetMonitoringApi()) is { } warning)
                {
                    await Console.Error.WriteLineAsync(warning).ConfigureAwait(false);
                }

                return 0;
            }

            try
            {
                var results = await runner.RunAsync(wanted, "manual", s => new ConsoleProgress(s), ct).ConfigureAwait(false);
                foreach (var (stage, result, elapsed) in results)
                {
                    Console.WriteLine($"{stage}: {result.Summary} ({elapsed.TotalSeconds:0.0} s)");
                }
            }
            catch (WarehouseLostException e)
            {
                await Console.Error.WriteLineAsync("crm run: " + e.Message).ConfigureAwait(false);
                return 3;
            }
            catch (Exception e) when (WarehouseFaults.IsConnectionLoss(e) && !ct.IsCancellationRequested)
            {
                // Lost before a stage began (recording the run's start) or after the last one ended (recording its end).
                await Console.Error.WriteLineAsync(
                    $"crm run: lost the warehouse while recording the run ({WarehouseFaults.Reason(e)}); check that PostgreSQL is up and reachable "
                    + "(ConnectionStrings:Warehouse), then run the command again.").ConfigureAwait(false);
                return 3;
            }

            return 0;
        });
        return command;
    }

    /// <summary>A warning when no Hangfire server (a <c>crm serve</c> node) has checked in within <see cref="NodeSilence"/>; null when one has.</summary>
    private static string? NoRecentNode(IMonitoringApi monitoring)
    {
        var servers = monitoring.Servers();
        var now = DateTime.UtcNow;
        if (servers.Any(s => s.Heartbeat is { } beat && now - DateTime.SpecifyKind(beat, DateTimeKind.Utc) < NodeSilence))
        {
            return null;
        }

        var last = servers.Where(s => s.Heartbeat is not null).Select(s => s.Heartbeat!.Value).DefaultIfEmpty().Max();
        var since = last == default
            ? "no service node (crm serve) is running on this warehouse"
            : $"no service node (crm serve) has checked in since {last:yyyy-MM-dd HH:mm:ss} UTC";
        return $"crm run: warning: {since}; the run waits in the queue until one starts.";
    }
}

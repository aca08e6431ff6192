using System.CommandLine;
using System.Globalization;
using Crm.Pipeline.Jobs;
using Crm.Pipeline.Retention;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Crm.Worker.Commands;

/// <summary>
/// <c>crm retention</c>: applies the retention windows now (the nightly chain does it as its last stage)
/// and prints what was dropped, then the windows as <c>name=value</c>.
/// </summary>
internal static class RetentionCommand
{
    public static Command Create()
    {
        var command = new Command("retention", "Drop staging, quarantine, runs, report bodies and model artifacts past their retention windows");
        command.SetAction(async (parse, ct) =>
        {
            await using var host = await CommandHost.StartAsync(parse.GetValue(CommonOptions.Config), ct).ConfigureAwait(false);
            var stage = host.Services.GetServices<IPipelineStage>().OfType<RetentionStage>().Single();
            foreach (var (what, rows) in await stage.ApplyAsync(ct).ConfigureAwait(false))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{what,-18} {rows,8}"));
            }

            var o = host.Services.GetRequiredService<IOptions<RetentionOptions>>().Value;
            Console.WriteLine($"staging_days={o.StagingDays}");
            Console.WriteLine($"quarantine_days={o.QuarantineDays}");
            Console.WriteLine($"report_archive_days={o.ReportArchiveDays}");
            Console.WriteLine($"pipeline_run_days={o.PipelineRunDays}");
            Console.WriteLine($"model_artifacts_kept={o.ModelArtifactsKept}");
            Console.WriteLine($"hangfire_job_days={o.HangfireJobDays}");
            return 0;
        });
        return command;
    }
}

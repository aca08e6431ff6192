using System.Globalization;
using System.Net;
using Crm.Pipeline.Jobs;
using Hangfire.Dashboard;
using Hangfire.Dashboard.Pages;

namespace Crm.Dashboard.Hangfire;

/// <summary>
/// A dashboard page listing the jobs running now with the progress they report (the job
/// parameters written by <see cref="HangfireProgressSink"/>). Refreshes itself every two seconds.
/// </summary>
/// <remarks>Hangfire.Console is not served by the package registry here; this page is our small equivalent.</remarks>
internal sealed class ProgressPage : RazorPage
{
    private TimeZoneInfo Zone => Context.GetHttpContext().RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<Crm.Pipeline.Display.DisplayOptions>>().Value.Zone;

    public override void Execute()
    {
        Layout = new LayoutPage("Job progress");
        var monitor = Storage.GetMonitoringApi();
        var jobs = monitor.ProcessingJobs(0, 200);
        using var connection = Storage.GetConnection();
        WriteLiteral("<div class=\"row\"><div class=\"col-md-12\"><h1 class=\"page-header\">Job progress</h1>");
        if (jobs.Count == 0)
        {
            WriteLiteral("<div class=\"alert alert-info\">No job is running right now.</div>");
        }
        else
        {
            WriteLiteral("<table class=\"table\" id=\"crm-progress\"><thead><tr><th>Job</th><th>Server</th><th>Started</th><th style=\"width:40%\">Progress</th></tr></thead><tbody>");
            foreach (var (id, job) in jobs)
            {
                var fractionText = connection.GetJobParameter(id, HangfireProgressSink.ProgressParameter);
                var message = connection.GetJobParameter(id, HangfireProgressSink.MessageParameter) ?? "";
                var hasFraction = double.TryParse(fractionText, NumberStyles.Float, CultureInfo.InvariantCulture, out var fraction);
                var percent = hasFraction ? Math.Clamp(fraction * 100, 0, 100) : 0;
                var name = job.Job is null ? "(unknown job)" : Html.JobName(job.Job).ToString();
                WriteLiteral(string.Create(CultureInfo.InvariantCulture,
                    $"<tr data-job-id=\"{WebUtility.HtmlEncode(id)}\"><td><a href=\"{Url.JobDetails(id)}\">{WebUtility.HtmlEncode(name)}</a></td>" +
                    $"<td>{WebUtility.HtmlEncode(job.ServerId ?? "")}</td><td>{(job.StartedAt is { } started ? Crm.Pipeline.Display.DisplayTime.Format(started, Zone) : "")}</td>" +
                    $"<td><div class=\"progress\" style=\"margin-bottom:4px\"><div class=\"progress-bar\" role=\"progressbar\" style=\"width:{percent:0}%\" aria-valuenow=\"{percent:0}\">{(hasFraction ? percent.ToString("0", CultureInfo.InvariantCulture) + "%" : "")}</div></div>" +
                    $"<small class=\"crm-progress-message\">{WebUtility.HtmlEncode(message)}</small></td></tr>"));
            }

            WriteLiteral("</tbody></table>");
        }

        WriteLiteral(Pages.CrmPage.NowMarker(Zone));
        WriteLiteral("</div></div><script>" + Security.SecurityHeaders.ProgressReloadScript + "</script>");
    }
}

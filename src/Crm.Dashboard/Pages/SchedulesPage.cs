using Crm.Dashboard.Schedules;
using Crm.Pipeline.Display;
using Hangfire.Dashboard;
using Microsoft.Extensions.Options;

namespace Crm.Dashboard.Pages;

/// <summary>
/// Every Quartz trigger: its job, cron expression, time zone, calendar, misfire rule, previous firing and its run,
/// the next three firings and whether it is paused. Admins can pause, resume and fire a schedule now; viewers only see.
/// </summary>
internal sealed class SchedulesPage : CrmPage
{
    public SchedulesPage()
        : base("Schedules")
    {
    }

    private const string SchedulesKey = "crm.schedules";

    /// <summary>Reads the schedules (Quartz's API is asynchronous only) before the page renders; <see cref="PrefetchedPageDispatcher"/> calls it.</summary>
    public static async Task PrefetchAsync(DashboardContext context)
    {
        var http = context.GetHttpContext();
        if (http.RequestServices.GetService<IScheduleAdmin>() is { } admin)
        {
            http.Items[SchedulesKey] = await admin.ListAsync(http.RequestAborted).ConfigureAwait(false);
        }
    }

    protected override void Render()
    {
        var http = Context.GetHttpContext();
        var zone = http.RequestServices.GetRequiredService<IOptions<DisplayOptions>>().Value.Zone;
        WriteLiteral(Flash.Render(http, Url, Warehouse));
        var admin = http.RequestServices.GetService<IScheduleAdmin>();
        if (admin is null)
        {
            WriteLiteral("<div class=\"alert alert-info\">The scheduler is off in this process (<code>Crm:Scheduler:Enabled</code> is false): no schedule to show.</div>");
            return;
        }

        if (IsReadOnly)
        {
            WriteLiteral("<div class=\"alert alert-warning\">You are signed in as a viewer: you can see the schedules but not pause, resume or fire them.</div>");
        }

        WriteLiteral($"<p>Quartz decides when; each firing enqueues its job into Hangfire once. Times are shown in {Encode(zone.Id)}. A paused schedule does not fire until resumed; a firing missed meanwhile follows its misfire rule.</p>");
        var schedules = (IReadOnlyList<ScheduleView>)http.Items[SchedulesKey]!;
        // Stacked below 768 px (crm.css): as a table it was wider than a phone, and the next firings were off-screen.
        WriteLiteral("<table class=\"table table-condensed crm-stacked\" id=\"crm-schedules\"><thead><tr><th>schedule</th><th>job</th><th>cron</th><th>time zone</th><th>calendar</th>"
            + "<th>misfire</th><th>previous firing</th><th>next firings</th><th>state</th><th></th></tr></thead><tbody>");
        if (schedules.Count == 0)
        {
            WriteLiteral("<tr><td colspan=\"10\"><em>no schedule in Crm:Schedules</em></td></tr>");
        }

        foreach (var s in schedules)
        {
            var id = Uri.EscapeDataString(s.Name);
            WriteLiteral($"<tr data-schedule=\"{Encode(s.Name)}\"><td data-label=\"schedule\">{Encode(s.Name)}</td><td data-label=\"job\">{Encode(s.Job)}</td><td data-label=\"cron\"><code>{Encode(s.Cron)}</code></td><td data-label=\"time zone\">{Encode(s.TimeZone)}</td>");
            WriteLiteral($"<td data-label=\"calendar\">{Encode(s.Calendar ?? "none")}</td><td data-label=\"misfire\">{Encode(s.Misfire)}</td><td data-label=\"previous firing\">{Previous(s, zone)}</td>");
            WriteLiteral($"<td data-label=\"next firings\">{string.Join("<br>", s.Next.Select(n => TimeHtml(DisplayTime.Format(n, zone))))}</td>");
            WriteLiteral($"<td data-label=\"state\">{StateLabel(s)}</td><td>");
            if (!IsReadOnly)
            {
                var toggle = s.Paused ? "resume" : "pause";
                WriteLiteral($"<button class=\"btn btn-xs btn-default\" data-ajax=\"{Url.To($"/schedules/{toggle}/{id}")}\" data-loading-text=\"…\" id=\"{toggle}-{Encode(s.Name)}\">{(s.Paused ? "Resume" : "Pause")}</button> ");
                WriteLiteral($"<button class=\"btn btn-xs btn-primary\" data-ajax=\"{Url.To($"/schedules/fire/{id}")}\" data-loading-text=\"Firing…\" id=\"fire-{Encode(s.Name)}\">Fire now</button>");
            }

            WriteLiteral("</td></tr>");
        }

        WriteLiteral("</tbody></table>");
    }

    // Quartz's trigger states in words: "Blocked" is Quartz's word for a firing whose job is still running (a job never
    // runs twice at once), which read as a fault.
    private static string StateLabel(ScheduleView s) => s.Paused
        ? "<span class=\"label label-warning\">paused</span>"
        : s.State switch
        {
            "Blocked" => "<span class=\"label label-info\" title=\"Quartz: blocked until the running firing ends\">running now</span>",
            "PausedBlocked" => "<span class=\"label label-warning\" title=\"Quartz: paused and blocked\">paused, a firing still running</span>",
            "Error" => "<span class=\"label label-danger\" title=\"Quartz: error\">error: see the service log</span>",
            _ => $"<span class=\"label label-success\">{Encode(s.State.ToLowerInvariant())}</span>",
        };

    private string Previous(ScheduleView s, TimeZoneInfo zone)
    {
        if (s.Previous is not { } previous)
        {
            return "<em>not yet</em>";
        }

        using var command = Warehouse.CreateCommand("select run_id, status from ops.pipeline_run where trigger_key = @k");
        command.Parameters.AddWithValue("k", $"{s.TriggerKey}@{previous.UtcDateTime:O}");
        using var reader = command.ExecuteReader();
        var when = TimeHtml(DisplayTime.Format(previous, zone));
        return reader.Read()
            ? $"{when}<br><a href=\"{Url.To("/runs")}?run={reader.GetGuid(0)}\">run {Encode(reader.GetString(1))}</a>"
            : when;
    }
}

using System.Net;
using Hangfire.Dashboard;

namespace Crm.Dashboard.Schedules;

/// <summary>
/// POST <c>/schedules/{pause|resume|fire}/NAME</c>: an admin's action on a schedule. The dashboard's guard refuses a
/// viewer's POST (403) and Hangfire's middleware checks the anti-forgery token before this runs; the read-only check
/// here is the second lock on the same door.
/// </summary>
internal sealed class ScheduleCommand : IDashboardDispatcher
{
    private readonly string _action;

    public ScheduleCommand(string action) => _action = action;

    public async Task Dispatch(DashboardContext context)
    {
        var http = context.GetHttpContext();
        if (!HttpMethods.IsPost(http.Request.Method))
        {
            http.Response.StatusCode = (int)HttpStatusCode.MethodNotAllowed;
            return;
        }

        if (context.IsReadOnly)
        {
            await RefuseAsync(http, HttpStatusCode.Forbidden, "Refused: you are signed in as a viewer; an admin can pause, resume or fire a schedule.").ConfigureAwait(false);
            return;
        }

        if (http.RequestServices.GetService<IScheduleAdmin>() is not { } admin)
        {
            await RefuseAsync(http, HttpStatusCode.Conflict, "The scheduler is off in this process (Crm:Scheduler:Enabled is false): pause, resume or fire the schedule on a crm serve node's dashboard.").ConfigureAwait(false);
            return;
        }

        var name = Uri.UnescapeDataString(context.UriMatch.Groups["Name"].Value);
        var done = _action switch
        {
            "pause" => await admin.PauseAsync(name, http.RequestAborted).ConfigureAwait(false),
            "resume" => await admin.ResumeAsync(name, http.RequestAborted).ConfigureAwait(false),
            _ => await FireAsync(admin, http, name).ConfigureAwait(false),
        };
        if (done)
        {
            http.Response.StatusCode = (int)HttpStatusCode.NoContent;
            return;
        }

        await RefuseAsync(http, HttpStatusCode.NotFound, $"No schedule named '{name}' in Crm:Schedules: it was renamed or removed since this page was loaded; reload the page.").ConfigureAwait(false);
    }

    // The reason is the plain-text body: crm.js shows it above the page.
    private static Task RefuseAsync(HttpContext http, HttpStatusCode status, string reason)
    {
        http.Response.StatusCode = (int)status;
        http.Response.ContentType = "text/plain; charset=utf-8";
        return http.Response.WriteAsync(reason, http.RequestAborted);
    }

    private static async Task<bool> FireAsync(IScheduleAdmin admin, HttpContext http, string name)
    {
        var firing = await admin.FireNowAsync(name, http.RequestAborted).ConfigureAwait(false);
        if (firing is null)
        {
            return false;
        }

        Pages.Flash.Fired(http, firing, name);
        return true;
    }
}

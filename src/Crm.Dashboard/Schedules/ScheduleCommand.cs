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
            http.Response.StatusCode = (int)HttpStatusCode.Forbidden;
            return;
        }

        if (http.RequestServices.GetService<IScheduleAdmin>() is not { } admin)
        {
            http.Response.StatusCode = (int)HttpStatusCode.Conflict;
            return;
        }

        var name = Uri.UnescapeDataString(context.UriMatch.Groups["Name"].Value);
        var done = _action switch
        {
            "pause" => await admin.PauseAsync(name, http.RequestAborted).ConfigureAwait(false),
            "resume" => await admin.ResumeAsync(name, http.RequestAborted).ConfigureAwait(false),
            _ => await FireAsync(admin, http, name).ConfigureAwait(false),
        };
        http.Response.StatusCode = done ? (int)HttpStatusCode.NoContent : (int)HttpStatusCode.NotFound;
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

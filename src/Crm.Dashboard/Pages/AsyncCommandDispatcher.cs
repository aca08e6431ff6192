using Hangfire.Dashboard;

namespace Crm.Dashboard.Pages;

/// <summary>
/// A dashboard command that awaits its work, where Hangfire's <c>AddCommand</c> takes only a synchronous delegate
/// (which made our commands block a thread on their database calls). Same contract as Hangfire's: POST only
/// (405 otherwise), 204 when done, 422 when refused; a refusal's reason is the plain-text body, which the
/// dashboard's script shows. Anti-forgery is checked by Hangfire's middleware before any dispatcher runs.
/// </summary>
internal sealed class AsyncCommandDispatcher(Func<DashboardContext, Task<string?>> command) : IDashboardDispatcher
{
    /// <inheritdoc />
    public async Task Dispatch(DashboardContext context)
    {
        var response = context.Response;
        if (!string.Equals(context.Request.Method, "POST", StringComparison.OrdinalIgnoreCase))
        {
            response.StatusCode = 405;
            return;
        }

        var refusal = await command(context).ConfigureAwait(false);
        if (refusal is null)
        {
            response.StatusCode = 204;
            return;
        }

        response.StatusCode = 422;
        response.ContentType = "text/plain; charset=utf-8";
        await response.WriteAsync(refusal).ConfigureAwait(false);
    }
}

namespace Crm.Dashboard.Security;

/// <summary>
/// Turns malformed requests into 4xx answers before they reach Hangfire or the warehouse: control
/// characters in a dashboard query (PostgreSQL refuses NUL in text), a non-POST to Hangfire's stats
/// endpoint, job ids that are not numbers (in the path or a posted <c>jobs[]</c>), request bodies Kestrel refuses.
/// </summary>
internal sealed class RequestGuard
{
    private readonly RequestDelegate _next;

    public RequestGuard(RequestDelegate next) => _next = next;

    public async Task InvokeAsync(HttpContext http)
    {
        var request = http.Request;
        if (request.Path.StartsWithSegments("/hangfire"))
        {
            // Hangfire's stats endpoint reads a posted form; anything else made it throw.
            if (request.Path.StartsWithSegments("/hangfire/stats") && !HttpMethods.IsPost(request.Method))
            {
                http.Response.Headers.Allow = "POST";
                await PlainAsync(http, StatusCodes.Status405MethodNotAllowed, "/hangfire/stats answers POST only.").ConfigureAwait(false);
                return;
            }

            if (JobIdInPath(request.Path) is { } jobId && !IsJobId(jobId))
            {
                await PlainAsync(http, StatusCodes.Status404NotFound, $"No job '{SecurityLog.Printable(jobId)}': job ids are numbers.").ConfigureAwait(false);
                return;
            }

            if (HttpMethods.IsPost(request.Method) && request.Path.StartsWithSegments("/hangfire/jobs") && request.HasFormContentType)
            {
                IFormCollection form;
                try
                {
                    form = await request.ReadFormAsync(http.RequestAborted).ConfigureAwait(false);
                }
                catch (Exception e) when (e is InvalidDataException or InvalidOperationException)
                {
                    await PlainAsync(http, StatusCodes.Status400BadRequest, "The posted form could not be read: " + e.Message).ConfigureAwait(false);
                    return;
                }

                if (form["jobs[]"].FirstOrDefault(j => !IsJobId(j)) is { } bad)
                {
                    await PlainAsync(http, StatusCodes.Status400BadRequest, $"No job '{SecurityLog.Printable(bad ?? "")}': job ids are numbers.").ConfigureAwait(false);
                    return;
                }
            }

            foreach (var (key, values) in request.Query)
            {
                if (HasControl(key) || values.Any(v => v is not null && HasControl(v)))
                {
                    await PlainAsync(http, StatusCodes.Status400BadRequest,
                        $"The query parameter '{SecurityLog.Printable(key)}' contains a control character (such as %00); remove it and try again.").ConfigureAwait(false);
                    return;
                }
            }
        }

        try
        {
            await _next(http).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e) when (!http.Response.HasStarted)
        {
            // Kestrel's own refusals (body too large, bad chunking, form limits): their status, not 500.
            await PlainAsync(http, e.StatusCode, "Bad request: " + e.Message).ConfigureAwait(false);
        }
    }

    // Hangfire's routes /jobs/details/{id} and /jobs/actions/{requeue|delete}/{id} take any text; the
    // PostgreSQL storage parses it as a bigint and throws (a 500) on anything else.
    private static string? JobIdInPath(PathString path)
    {
        if (path.StartsWithSegments("/hangfire/jobs/details", out var rest) && rest.Value is { Length: > 1 } id)
        {
            return id[1..];
        }

        if (path.StartsWithSegments("/hangfire/jobs/actions", out rest) && rest.Value is { } r && r.LastIndexOf('/') is > 0 and var slash)
        {
            return r[(slash + 1)..];
        }

        return null;
    }

    private static bool IsJobId(string? value) =>
        long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id) && id > 0;

    private static bool HasControl(string value)
    {
        foreach (var c in value)
        {
            if (char.IsControl(c) && c is not ('\t' or '\r' or '\n'))
            {
                return true;
            }
        }

        return false;
    }

    private static Task PlainAsync(HttpContext http, int status, string message)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "text/plain; charset=utf-8";
        return http.Response.WriteAsync(message + "\n", http.RequestAborted);
    }
}

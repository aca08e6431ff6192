namespace Crm.Dashboard.Security;

/// <summary>
/// Turns malformed requests into 4xx answers before they reach Hangfire or the warehouse: control
/// characters in a dashboard query (PostgreSQL refuses NUL in text), a non-POST to Hangfire's stats
/// endpoint, request bodies Kestrel refuses.
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

using Hangfire.Dashboard;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Crm.Dashboard.Pages;

/// <summary>Serves an archived report's HTML exactly as it was sent, under a policy that allows no scripts or remote content.</summary>
internal sealed class ReportHtmlDispatcher : IDashboardDispatcher
{
    public async Task Dispatch(DashboardContext context)
    {
        var http = context.GetHttpContext();
        if (!long.TryParse(context.UriMatch.Groups["Id"].Value, out var id))
        {
            http.Response.StatusCode = 404;
            return;
        }

        var dataSource = http.RequestServices.GetRequiredService<NpgsqlDataSource>();
        await using var command = dataSource.CreateCommand("select html from ops.report_delivery where delivery_id = @id");
        command.Parameters.AddWithValue("id", id);
        if (await command.ExecuteScalarAsync(http.RequestAborted).ConfigureAwait(false) is not string html)
        {
            http.Response.StatusCode = 404;
            return;
        }

        http.Response.ContentType = "text/html; charset=utf-8";
        http.Response.Headers.ContentSecurityPolicy = "default-src 'none'; img-src data: cid:; style-src 'unsafe-inline'";
        await http.Response.WriteAsync(html, http.RequestAborted).ConfigureAwait(false);
    }
}

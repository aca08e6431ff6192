using Crm.Pipeline.Display;
using Hangfire.Dashboard;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Crm.Dashboard.Charts;

/// <summary>GET of a chart's numbers as CSV (<c>/models/auc.csv</c>, <c>/reports/deliveries.csv</c>), for a spreadsheet.</summary>
internal sealed class CsvDispatcher : IDashboardDispatcher
{
    private readonly string _fileName;
    private readonly Func<NpgsqlDataSource, TimeZoneInfo, string> _csv;

    public CsvDispatcher(string fileName, Func<NpgsqlDataSource, TimeZoneInfo, string> csv)
    {
        _fileName = fileName;
        _csv = csv;
    }

    public async Task Dispatch(DashboardContext context)
    {
        var http = context.GetHttpContext();
        var warehouse = http.RequestServices.GetRequiredService<NpgsqlDataSource>();
        var zone = http.RequestServices.GetRequiredService<IOptions<DisplayOptions>>().Value.Zone;
        var csv = _csv(warehouse, zone);
        http.Response.ContentType = "text/csv; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"{_fileName}\"";
        await http.Response.WriteAsync(csv, http.RequestAborted).ConfigureAwait(false);
    }
}

using Crm.Pipeline.Display;
using Hangfire.Dashboard;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Crm.Dashboard.Charts;

/// <summary>GET <c>/nights/durations.csv</c> and <c>/nights/loads.csv</c>: the Nights page's numbers, for a spreadsheet.</summary>
internal sealed class NightCsvDispatcher : IDashboardDispatcher
{
    private readonly bool _durations;

    public NightCsvDispatcher(bool durations) => _durations = durations;

    public async Task Dispatch(DashboardContext context)
    {
        var http = context.GetHttpContext();
        var warehouse = http.RequestServices.GetRequiredService<NpgsqlDataSource>();
        var zone = http.RequestServices.GetRequiredService<IOptions<DisplayOptions>>().Value.Zone;
        var csv = _durations ? NightData.DurationsCsv(warehouse, zone) : NightData.LoadsCsv(warehouse, zone);
        http.Response.ContentType = "text/csv; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"crm-{(_durations ? "stage-durations" : "loads")}.csv\"";
        await http.Response.WriteAsync(csv, http.RequestAborted).ConfigureAwait(false);
    }
}

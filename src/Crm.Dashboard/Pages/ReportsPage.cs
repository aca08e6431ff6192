using System.Globalization;
using Crm.Dashboard.Charts;

namespace Crm.Dashboard.Pages;

/// <summary>
/// Reports: deliveries per day by outcome (a server-drawn SVG chart with its CSV), and the archive of every delivery
/// (sent, failed, permanent failures with the error), each viewable.
/// </summary>
internal sealed class ReportsPage : CrmPage
{
    public ReportsPage()
        : base("Reports")
    {
    }

    protected override void Render()
    {
        WriteLiteral("<p>One row per report, period and recipient: a report is sent once. Resend one explicitly with <code>./crm reports resend ID --by NAME</code> (a new delivery, marked as a resend).</p>");
        var perDay = DeliveryData.PerDay(Warehouse, DisplayZone);
        var days = perDay.Select(d => d.Day).Distinct().Order().ToList();
        var series = DeliveryData.Statuses
            .Where(status => DeliveryData.AlwaysShown.Contains(status) || perDay.Any(d => d.Status == status))
            .Select(status => (status, days.Select(day => perDay.Where(d => d.Day == day && d.Status == status).Sum(d => d.Deliveries)).ToArray()))
            .ToList();
        WriteLiteral($"<h3>Deliveries per day</h3><p>The last {DeliveryData.Days} days with any, by the day (in {Encode(DisplayZone.Id)}) a delivery was sent or last tried. Skipped: a run of the reports stage found a recipient's report already sent (or failed for good) and sent nothing.</p>");
        WriteLiteral(SvgBarChart.Stacked("crm-chart-deliveries", "Report deliveries per day by outcome", "deliveries", days.Select(d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).ToList(), series));
        WriteLiteral($"<p><a href=\"{Url.To("/reports/deliveries.csv")}\" id=\"crm-deliveries-csv\">Numbers as CSV</a> (day, sent, skipped, failed, permanent failure, pending)</p>");
        WriteLiteral("<h3>Deliveries</h3>");
        Table(
            """
            select delivery_id as id, report, period_start, period_end, recipient_name, recipient, status, attempts,
                   transport, sent_at, resend_of, left(error, 200) as error
            from ops.report_delivery order by created_at desc limit 100
            """,
            id: "crm-reports",
            stacked: true,
            cell: (column, value) => column switch
            {
                "id" => $"<a href=\"{Url.To("/reports/html/" + Encode(value))}\">{Encode(value)}</a>",
                "status" => value switch
                {
                    "sent" => "<span class=\"label label-success\">sent</span>",
                    "permanent-failure" => "<span class=\"label label-danger\">permanent failure</span>",
                    "failed" => "<span class=\"label label-warning\">failed, will retry</span>",
                    _ => $"<span class=\"label label-info\">{Encode(value)}</span>",
                },
                _ => null,
            });
    }
}

namespace Crm.Dashboard.Pages;

/// <summary>Reports: the archive of every delivery (sent, failed, permanent failures with the error), each viewable.</summary>
internal sealed class ReportsPage : CrmPage
{
    public ReportsPage()
        : base("Reports")
    {
    }

    protected override void Render()
    {
        WriteLiteral("<p>One row per report, period and recipient: a report is sent once. Resend one explicitly with <code>./crm reports resend ID --by NAME</code> (a new delivery, marked as a resend).</p>");
        Table(
            """
            select delivery_id as id, report, period_start, period_end, recipient_name, recipient, status, attempts,
                   transport, sent_at, resend_of, left(error, 200) as error
            from ops.report_delivery order by created_at desc limit 100
            """,
            id: "crm-reports",
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

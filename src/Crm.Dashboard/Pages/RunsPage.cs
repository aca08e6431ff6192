namespace Crm.Dashboard.Pages;

/// <summary>Pipeline runs: each run with its stages, durations, counts, status and errors.</summary>
internal sealed class RunsPage : CrmPage
{
    public RunsPage()
        : base("Pipeline runs")
    {
    }

    protected override void Render()
    {
        WriteLiteral("<p>Every run (nightly, scheduled, manual, demo) and its stages. A failed stage shows its error; Hangfire retries it with back-off, and the Jobs pages show each attempt.</p>");
        Table(
            """
            select r.kind, r.status, r.started_at, round(extract(epoch from (coalesce(r.finished_at, now()) - r.started_at))::numeric, 1) as seconds,
                   coalesce(string_agg(s.stage || ' ' || s.status
                       || coalesce(' (' || s.rows_read || ' read, ' || s.rows_written || ' written, '
                                   || round(extract(epoch from (s.finished_at - s.started_at))::numeric, 1) || ' s)', '')
                       || coalesce(': ' || left(s.error, 200), ''), '; ' order by s.started_at), '') as stages,
                   left(r.error, 300) as error
            from ops.pipeline_run r
            left join ops.pipeline_stage s using (run_id)
            group by r.run_id
            order by r.started_at desc
            limit 50
            """,
            id: "crm-runs",
            cell: (column, value) => column == "status" ? StatusLabel(value as string) : null);
    }

    private static string StatusLabel(string? status) => status switch
    {
        "succeeded" => "<span class=\"label label-success\">succeeded</span>",
        "failed" => "<span class=\"label label-danger\">failed</span>",
        _ => $"<span class=\"label label-info\">{Encode(status)}</span>",
    };
}

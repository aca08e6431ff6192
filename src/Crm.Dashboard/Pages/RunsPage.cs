using Hangfire.Dashboard;

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
        WriteLiteral(Flash.Render(Context.GetHttpContext(), Url, Warehouse));
        var query = Context.GetHttpContext().Request.Query;
        Guid? run = Guid.TryParse(query["run"].FirstOrDefault(), out var r) ? r : null;
        var firing = query["firing"].FirstOrDefault();
        if (run is not null || !string.IsNullOrEmpty(firing))
        {
            WriteLiteral($"<p>One run: {(run is { } id ? $"<code>{id}</code>" : $"the firing <code>{Encode(firing)}</code>")}. It refreshes as its stages go; <a href=\"{Url.To("/runs")}\">all runs</a>.</p>");
        }
        else
        {
            WriteLiteral("<p>Every run (nightly, scheduled, manual, demo) and its stages. A failed stage shows its error; Hangfire retries it with back-off, and the Jobs pages show each attempt.</p>");
        }

        var rows = Table(
            """
            select r.run_id as run, r.kind, r.status, r.started_at, round(extract(epoch from (coalesce(r.finished_at, now()) - r.started_at))::numeric, 1) as seconds,
                   coalesce(string_agg(s.stage || ' ' || s.status
                       || coalesce(' (' || s.rows_read || ' read, ' || s.rows_written || ' written, '
                                   || round(extract(epoch from (s.finished_at - s.started_at))::numeric, 1) || ' s)', '')
                       || coalesce(': ' || left(s.error, 200), ''), E'\n' order by s.started_at), '') as stages,
                   left(r.error, 300) as error
            from ops.pipeline_run r
            left join ops.pipeline_stage s using (run_id)
            where (@run::uuid is null or r.run_id = @run) and (@firing::text is null or r.trigger_key like @firing || '%')
            group by r.run_id
            order by r.started_at desc
            limit 50
            """,
            bind: c =>
            {
                c.Parameters.Add(new Npgsql.NpgsqlParameter("run", NpgsqlTypes.NpgsqlDbType.Uuid) { Value = (object?)run ?? DBNull.Value });
                c.Parameters.Add(new Npgsql.NpgsqlParameter("firing", NpgsqlTypes.NpgsqlDbType.Text) { Value = string.IsNullOrEmpty(firing) ? DBNull.Value : firing });
            },
            id: "crm-runs",
            stacked: true,
            cell: (column, value) => column switch
            {
                "status" => StatusLabel(value as string),
                "run" when value is Guid id => $"<a href=\"{Url.To("/runs")}?run={id}\"><code>{id}</code></a>",
                // One stage a line: in one sentence the stages of a night ran together.
                "stages" when value is string stages => string.Join("<br>", stages.Split('\n').Select(Encode)),
                _ => null,
            });
        if (rows == 0 && !string.IsNullOrEmpty(firing))
        {
            WriteLiteral("<p><em>The firing has not started its run yet: a service node picks it up within seconds. Reload this page.</em></p>");
        }
    }

    private static string StatusLabel(string? status) => status switch
    {
        "succeeded" => "<span class=\"label label-success\">succeeded</span>",
        "failed" => "<span class=\"label label-danger\">failed</span>",
        _ => $"<span class=\"label label-info\">{Encode(status)}</span>",
    };
}

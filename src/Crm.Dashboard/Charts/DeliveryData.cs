using System.Globalization;
using System.Text;
using Npgsql;

namespace Crm.Dashboard.Charts;

/// <summary>
/// Report deliveries per day (the day a delivery was sent, else last tried, in the display zone) by outcome, for the
/// last 60 days that have any: sent, skipped (a reports run found nothing to send a recipient), failed and waiting for a
/// retry, failed for good, still pending.
/// </summary>
internal static class DeliveryData
{
    /// <summary>Days shown.</summary>
    public const int Days = 60;

    /// <summary>The outcomes, in the chart's stacking order (<c>ops.report_delivery.status</c>).</summary>
    public static readonly string[] Statuses = ["sent", "skipped", "failed", "permanent-failure", "pending"];

    /// <summary>The outcomes the chart shows even on days without any (the others only when some day has them).</summary>
    public static readonly string[] AlwaysShown = ["sent", "skipped", "failed"];

    private const string PerDaySql =
        """
        with days as (
            select (coalesce(sent_at, updated_at) at time zone @zone)::date as day, status, count(*)::float8 as deliveries
            from ops.report_delivery
            group by 1, 2
            union all
            -- A skip leaves no delivery row: each run of the reports stage counts its skips in its summary
            -- ("2 sent, 3 skipped, 0 failed", ReportRunSummary), by the day the run finished.
            select (finished_at at time zone @zone)::date, 'skipped', sum(substring(detail->>'summary' from '^\d+ sent, (\d+) skipped')::float8)
            from ops.pipeline_stage
            where stage = 'reports' and finished_at is not null and detail->>'summary' ~ '^\d+ sent, \d+ skipped'
            group by 1
            having sum(substring(detail->>'summary' from '^\d+ sent, (\d+) skipped')::float8) > 0
        ), recent as (select distinct day from days order by day desc limit @days)
        select d.day, d.status, d.deliveries from days d join recent using (day) order by d.day, d.status
        """;

    /// <summary>Rows of (day, status, deliveries).</summary>
    public static List<(DateOnly Day, string Status, double Deliveries)> PerDay(NpgsqlDataSource warehouse, TimeZoneInfo zone)
    {
        var rows = new List<(DateOnly, string, double)>();
        using var command = warehouse.CreateCommand(PerDaySql);
        command.Parameters.AddWithValue("zone", zone.Id);
        command.Parameters.AddWithValue("days", Days);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            rows.Add((DateOnly.FromDateTime(reader.GetDateTime(0)), reader.GetString(1), reader.GetDouble(2)));
        }

        return rows;
    }

    /// <summary>The deliveries as CSV: <c>day,sent,skipped,failed,permanent-failure,pending</c>.</summary>
    public static string Csv(NpgsqlDataSource warehouse, TimeZoneInfo zone)
    {
        var rows = PerDay(warehouse, zone);
        var csv = new StringBuilder("day," + string.Join(',', Statuses) + "\n");
        foreach (var day in rows.Select(r => r.Day).Distinct().Order())
        {
            csv.Append(CultureInfo.InvariantCulture, $"{day:yyyy-MM-dd}");
            foreach (var status in Statuses)
            {
                csv.Append(CultureInfo.InvariantCulture, $",{rows.Where(r => r.Day == day && r.Status == status).Sum(r => r.Deliveries):0}");
            }

            csv.Append('\n');
        }

        return csv.ToString();
    }
}

using System.Globalization;
using System.Text;
using Npgsql;

namespace Crm.Dashboard.Charts;

/// <summary>
/// The numbers behind the Nights page's charts, per night (the day a stage started or a unit was loaded, in the display
/// zone), for the last 60 nights that have any: each stage's duration, and each source's rows loaded and quarantined.
/// </summary>
internal static class NightData
{
    /// <summary>Nights shown.</summary>
    public const int Nights = 60;

    private const string DurationsSql =
        """
        with nights as (
            select (started_at at time zone @zone)::date as night, stage,
                   sum(extract(epoch from (finished_at - started_at)))::float8 as seconds
            from ops.pipeline_stage
            where finished_at is not null
            group by 1, 2
        ), recent as (select distinct night from nights order by night desc limit @nights)
        select n.night, n.stage, n.seconds from nights n join recent using (night) order by n.night, n.stage
        """;

    private const string LoadsSql =
        """
        with nights as (
            select (loaded_at at time zone @zone)::date as night, source,
                   sum(loaded_count)::float8 as loaded, sum(quarantined_count)::float8 as quarantined
            from ops.ingest_ledger
            group by 1, 2
        ), recent as (select distinct night from nights order by night desc limit @nights)
        select n.night, n.source, n.loaded, n.quarantined from nights n join recent using (night) order by n.night, n.source
        """;

    /// <summary>Rows of (night, stage, seconds).</summary>
    public static List<(DateOnly Night, string Stage, double Seconds)> Durations(NpgsqlDataSource warehouse, TimeZoneInfo zone)
    {
        var rows = new List<(DateOnly, string, double)>();
        using var command = Command(warehouse, DurationsSql, zone);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            rows.Add((DateOnly.FromDateTime(reader.GetDateTime(0)), reader.GetString(1), reader.GetDouble(2)));
        }

        return rows;
    }

    /// <summary>Rows of (night, source, loaded, quarantined).</summary>
    public static List<(DateOnly Night, string Source, double Loaded, double Quarantined)> Loads(NpgsqlDataSource warehouse, TimeZoneInfo zone)
    {
        var rows = new List<(DateOnly, string, double, double)>();
        using var command = Command(warehouse, LoadsSql, zone);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            rows.Add((DateOnly.FromDateTime(reader.GetDateTime(0)), reader.GetString(1), reader.GetDouble(2), reader.GetDouble(3)));
        }

        return rows;
    }

    /// <summary>The durations as CSV: <c>night,stage,seconds</c>.</summary>
    public static string DurationsCsv(NpgsqlDataSource warehouse, TimeZoneInfo zone)
    {
        var csv = new StringBuilder("night,stage,seconds\n");
        foreach (var (night, stage, seconds) in Durations(warehouse, zone))
        {
            csv.Append(CultureInfo.InvariantCulture, $"{night:yyyy-MM-dd},{Field(stage)},{seconds:0.###}\n");
        }

        return csv.ToString();
    }

    /// <summary>The loads as CSV: <c>night,source,loaded,quarantined</c>.</summary>
    public static string LoadsCsv(NpgsqlDataSource warehouse, TimeZoneInfo zone)
    {
        var csv = new StringBuilder("night,source,loaded,quarantined\n");
        foreach (var (night, source, loaded, quarantined) in Loads(warehouse, zone))
        {
            csv.Append(CultureInfo.InvariantCulture, $"{night:yyyy-MM-dd},{Field(source)},{loaded:0},{quarantined:0}\n");
        }

        return csv.ToString();
    }

    private static NpgsqlCommand Command(NpgsqlDataSource warehouse, string sql, TimeZoneInfo zone)
    {
        var command = warehouse.CreateCommand(sql);
        command.Parameters.AddWithValue("zone", zone.Id);
        command.Parameters.AddWithValue("nights", Nights);
        return command;
    }

    // Stage and source names are ours, but a field with a comma or quote is quoted all the same (RFC 4180).
    private static string Field(string value) =>
        value.AsSpan().IndexOfAny(",\"\n\r") < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}

using Npgsql;

namespace Crm.Pipeline.Features;

/// <summary>
/// The day the learn stages compute as of ("today"): the configured <c>Crm:Churn:AsOf</c>, or the day after the
/// last order in the warehouse. Features, training, scoring, CLV, segments and retention all take it from here, so
/// they agree on one day.
/// </summary>
public static class AsOfDay
{
    /// <summary>The configured day, or the day after the last order in the warehouse (today's date when there are none).</summary>
    public static async Task<DateOnly> ResolveAsync(NpgsqlDataSource dataSource, DateOnly? configured, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        if (configured is { } day)
        {
            return day;
        }

        await using var command = dataSource.CreateCommand("select (max(order_ts) at time zone 'UTC')::date + 1 from core.\"order\"");
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is DateOnly d ? d : value is DateTime dt ? DateOnly.FromDateTime(dt) : DateOnly.FromDateTime(DateTime.UtcNow);
    }

    /// <summary>
    /// The time stamped on the scores and customer values computed as of <paramref name="asOf"/>: the start of
    /// that day (UTC) when it lies before today, so that a report of a past period (a demo, a backfill) finds
    /// the outputs that describe its customers at that time; otherwise <paramref name="utcNow"/>. A re-run with
    /// a past "today" writes the same stamp again, so the writer replaces that batch.
    /// </summary>
    public static DateTime OutputStamp(DateOnly asOf, DateTime utcNow) =>
        asOf < DateOnly.FromDateTime(utcNow) ? asOf.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc) : utcNow;
}

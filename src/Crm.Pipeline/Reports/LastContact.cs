using Npgsql;

namespace Crm.Pipeline.Reports;

/// <summary>
/// The last email exchanged with each customer. <c>core.email</c> belongs to the email stage and may
/// not exist in this warehouse (or have a different time column), so the query is built only from
/// what <c>to_regclass</c> and the catalog say is there; without it the column stays empty.
/// </summary>
internal static class LastContact
{
    private static readonly string[] TimeColumns = ["sent_at", "received_at", "message_date", "email_ts", "date_ts", "occurred_at"];

    public static async Task<Dictionary<long, DateTimeOffset>> ReadAsync(NpgsqlConnection connection, long[] customerIds, DateTimeOffset asOf, CancellationToken cancellationToken)
    {
        var result = new Dictionary<long, DateTimeOffset>();
        if (customerIds.Length == 0)
        {
            return result;
        }

        var columns = new HashSet<string>(StringComparer.Ordinal);
        await using (var probe = new NpgsqlCommand(
            """
            select a.attname from pg_attribute a
            where a.attrelid = to_regclass('core.email') and a.attnum > 0 and not a.attisdropped
            """, connection))
        await using (var reader = await probe.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                columns.Add(reader.GetString(0));
            }
        }

        var time = TimeColumns.FirstOrDefault(columns.Contains);
        if (!columns.Contains("customer_id") || time is null)
        {
            return result;
        }

        // Column names come from the fixed list above, never from data.
        await using var command = new NpgsqlCommand(
            $"select customer_id, max({time}) from core.email where customer_id = any(@ids) and {time} <= @asof group by customer_id", connection);
        command.Parameters.AddWithValue("ids", customerIds);
        command.Parameters.AddWithValue("asof", asOf.UtcDateTime);
        await using var rows = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await rows.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!rows.IsDBNull(1))
            {
                result[rows.GetInt64(0)] = new DateTimeOffset(DateTime.SpecifyKind(rows.GetDateTime(1), DateTimeKind.Utc));
            }
        }

        return result;
    }
}

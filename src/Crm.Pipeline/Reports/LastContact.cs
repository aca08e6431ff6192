using Npgsql;

namespace Crm.Pipeline.Reports;

/// <summary>
/// The last email exchanged with each customer: <c>core.email</c>'s external party (the
/// <c>customer_address</c>) is an identity of source <c>email</c>, which the identity stage maps to
/// the golden customer in <c>core.customer_identity</c>.
/// </summary>
internal static class LastContact
{
    public static async Task<Dictionary<long, DateTimeOffset>> ReadAsync(NpgsqlConnection connection, long[] customerIds, DateTimeOffset asOf, CancellationToken cancellationToken)
    {
        var result = new Dictionary<long, DateTimeOffset>();
        if (customerIds.Length == 0)
        {
            return result;
        }

        await using var command = new NpgsqlCommand(
            """
            select i.customer_id, max(e.sent_at)
            from core.customer_identity i
            join core.email e on e.customer_address = i.source_customer_id
            where i.source = 'email' and i.customer_id = any(@ids) and e.sent_at <= @asof
            group by i.customer_id
            """, connection);
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

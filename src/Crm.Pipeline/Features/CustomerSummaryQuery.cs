using Crm.Pipeline.Warehouse;
using Npgsql;
using NpgsqlTypes;

namespace Crm.Pipeline.Features;

/// <summary>Reads the buy-till-you-die summary (x, t_x, T in weeks, mean repeat value) of every active golden customer as of a cutoff.</summary>
public static class CustomerSummaryQuery
{
    /// <summary>Customer ids and their summaries as of the start of <paramref name="cutoff"/>, ordered by customer id.</summary>
    public static Task<(long[] CustomerIds, CustomerSummary[] Summaries)> ReadAsync(
        NpgsqlConnection connection, DateOnly cutoff, CancellationToken cancellationToken) =>
        ReadAsync(connection, cutoff, FeatureSample.All, cancellationToken);

    /// <summary>
    /// Customer ids and their summaries as of the start of <paramref name="cutoff"/>, ordered by customer id,
    /// of the customers in the hash sample of <paramref name="sampleSlots"/> (<see cref="FeatureSample"/>).
    /// </summary>
    public static async Task<(long[] CustomerIds, CustomerSummary[] Summaries)> ReadAsync(
        NpgsqlConnection connection, DateOnly cutoff, int sampleSlots, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var ids = new List<long>();
        var summaries = new List<CustomerSummary>();
        await using var command = new NpgsqlCommand(SqlResource.Load("btyd_summary.sql"), connection);
        AddCutoff(command, cutoff);
        command.Parameters.AddWithValue("sample", sampleSlots);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            ids.Add(reader.GetInt64(0));
            summaries.Add(new CustomerSummary(reader.GetDouble(1), reader.GetDouble(2), reader.GetDouble(3), reader.GetDouble(4)));
        }

        return (ids.ToArray(), summaries.ToArray());
    }

    /// <summary>Adds the <c>@cutoff</c> (timestamptz, start of day UTC) and <c>@cutoff_date</c> parameters.</summary>
    internal static void AddCutoff(NpgsqlCommand command, DateOnly cutoff)
    {
        command.Parameters.Add(new NpgsqlParameter("cutoff", NpgsqlDbType.TimestampTz) { Value = cutoff.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc) });
        command.Parameters.Add(new NpgsqlParameter("cutoff_date", NpgsqlDbType.Date) { Value = cutoff });
    }

    /// <summary>A deterministic sample of at most <paramref name="max"/> summaries (every k-th), for fitting on very large bases.</summary>
    internal static IReadOnlyList<CustomerSummary> Sample(CustomerSummary[] all, int max)
    {
        if (all.Length <= max)
        {
            return all;
        }

        var step = (double)all.Length / max;
        var sample = new CustomerSummary[max];
        for (var i = 0; i < max; i++)
        {
            sample[i] = all[(int)(i * step)];
        }

        return sample;
    }
}

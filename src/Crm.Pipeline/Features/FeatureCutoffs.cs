using Npgsql;

namespace Crm.Pipeline.Features;

/// <summary>What the features stage has built: each cutoff of <c>ml.feature_cutoff</c> with its sample and build time.</summary>
public static class FeatureCutoffs
{
    /// <summary>Every built cutoff with the hash sample it covers (<see cref="FeatureSample"/>) and when it was computed.</summary>
    public static async Task<IReadOnlyDictionary<DateOnly, (int Slots, DateTime At)>> ReadAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        var built = new Dictionary<DateOnly, (int Slots, DateTime At)>();
        await using var command = dataSource.CreateCommand("select cutoff, sample_slots, computed_at from ml.feature_cutoff");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            built[reader.GetFieldValue<DateOnly>(0)] = (reader.GetInt32(1), reader.GetDateTime(2));
        }

        return built;
    }
}

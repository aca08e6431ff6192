using Crm.Pipeline.Warehouse;
using Npgsql;

namespace Crm.Pipeline.Features;

/// <summary>
/// The feature vectors of every customer of one cutoff of <c>ml.customer_features</c>, in <see cref="FeatureColumns.All"/>
/// order (NaN for missing), unlabelled: what the stages after features read when they need the vectors themselves.
/// </summary>
public sealed class FeatureRows
{
    /// <summary>Customer of each row, ascending.</summary>
    public required long[] CustomerIds { get; init; }

    /// <summary>Feature vector of each row.</summary>
    public required float[][] Features { get; init; }

    /// <summary>Number of rows.</summary>
    public int Count => CustomerIds.Length;

    /// <summary>Reads the rows of <paramref name="cutoff"/>.</summary>
    public static async Task<FeatureRows> LoadAsync(NpgsqlDataSource dataSource, DateOnly cutoff, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        var ids = new List<long>();
        var rows = new List<float[]>();
        await using var command = dataSource.CreateCommand(SqlResource.Load("feature_rows.sql"));
        command.CommandTimeout = 0;
        CustomerSummaryQuery.AddCutoff(command, cutoff);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var ordinals = FeatureColumns.All.Select(reader.GetOrdinal).ToArray();
        var idOrdinal = reader.GetOrdinal("customer_id");
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var row = new float[ordinals.Length];
            for (var i = 0; i < ordinals.Length; i++)
            {
                row[i] = reader.IsDBNull(ordinals[i]) ? float.NaN : (float)reader.GetDouble(ordinals[i]);
            }

            ids.Add(reader.GetInt64(idOrdinal));
            rows.Add(row);
        }

        return new FeatureRows { CustomerIds = [.. ids], Features = [.. rows] };
    }

    /// <summary>Indexes (into <see cref="FeatureColumns.All"/>) of the features that have at least one value here.</summary>
    public IReadOnlyList<int> PresentFeatures() =>
        Enumerable.Range(0, FeatureColumns.All.Count).Where(j => Features.Any(row => !float.IsNaN(row[j]))).ToList();
}

using Crm.Pipeline.Clv;
using Crm.Pipeline.Features;
using Crm.Pipeline.Warehouse;
using Npgsql;

namespace Crm.Pipeline.Churn;

/// <summary>
/// Feature vectors (in <see cref="FeatureColumns.All"/> order, NaN for missing) of the active customers
/// at one or more cutoffs, with their churn labels when the horizon has passed.
/// </summary>
public sealed class ChurnData
{
    /// <summary>Customer of each row.</summary>
    public required long[] CustomerIds { get; init; }

    /// <summary>Cutoff of each row.</summary>
    public required DateOnly[] Cutoffs { get; init; }

    /// <summary>Feature vector of each row, <see cref="FeatureColumns.All"/> order.</summary>
    public required float[][] Features { get; init; }

    /// <summary>Label of each row (true = churned); empty when unlabelled.</summary>
    public required bool[] Labels { get; init; }

    /// <summary>Number of rows.</summary>
    public int Count => CustomerIds.Length;

    /// <summary>Loads the active customers at each cutoff; with <paramref name="horizonDays"/> &gt; 0 also their labels.</summary>
    public static Task<ChurnData> LoadAsync(
        NpgsqlDataSource dataSource, IReadOnlyList<DateOnly> cutoffs, int horizonDays, int activeWindowDays, CancellationToken cancellationToken) =>
        LoadAsync(dataSource, cutoffs, horizonDays, activeWindowDays, FeatureSample.All, cancellationToken);

    /// <summary>
    /// Loads the active customers at each cutoff that are in the hash sample of <paramref name="sampleSlots"/>
    /// (<see cref="FeatureSample"/>); with <paramref name="horizonDays"/> &gt; 0 also their labels.
    /// </summary>
    public static async Task<ChurnData> LoadAsync(
        NpgsqlDataSource dataSource, IReadOnlyList<DateOnly> cutoffs, int horizonDays, int activeWindowDays, int sampleSlots,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(cutoffs);
        var ids = new List<long>();
        var dates = new List<DateOnly>();
        var features = new List<float[]>();
        var labels = new List<bool>();
        var sql = SqlResource.Load("churn_dataset.sql");
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var cutoff in cutoffs)
        {
            await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
            CustomerSummaryQuery.AddCutoff(command, cutoff);
            command.Parameters.AddWithValue("horizon", horizonDays);
            command.Parameters.AddWithValue("active", (double)activeWindowDays);
            command.Parameters.AddWithValue("sample", sampleSlots);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var ordinals = FeatureColumns.All.Select(reader.GetOrdinal).ToArray();
            var idOrdinal = reader.GetOrdinal("customer_id");
            var labelOrdinal = reader.GetOrdinal("churned");
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var row = new float[ordinals.Length];
                for (var i = 0; i < ordinals.Length; i++)
                {
                    row[i] = reader.IsDBNull(ordinals[i]) ? float.NaN : (float)reader.GetDouble(ordinals[i]);
                }

                ids.Add(reader.GetInt64(idOrdinal));
                dates.Add(cutoff);
                features.Add(row);
                if (horizonDays > 0)
                {
                    labels.Add(reader.GetBoolean(labelOrdinal));
                }
            }
        }

        return new ChurnData { CustomerIds = [.. ids], Cutoffs = [.. dates], Features = [.. features], Labels = [.. labels] };
    }

    /// <summary>The rows whose index satisfies <paramref name="keep"/>.</summary>
    public ChurnData Where(Func<int, bool> keep)
    {
        ArgumentNullException.ThrowIfNull(keep);
        var idx = Enumerable.Range(0, Count).Where(keep).ToArray();
        return new ChurnData
        {
            CustomerIds = idx.Select(i => CustomerIds[i]).ToArray(),
            Cutoffs = idx.Select(i => Cutoffs[i]).ToArray(),
            Features = idx.Select(i => Features[i]).ToArray(),
            Labels = Labels.Length == 0 ? [] : idx.Select(i => Labels[i]).ToArray(),
        };
    }

    /// <summary>Indexes (into <see cref="FeatureColumns.All"/>) of the features that have at least one value here.</summary>
    public IReadOnlyList<int> PresentFeatures()
    {
        var present = new List<int>();
        for (var j = 0; j < FeatureColumns.All.Count; j++)
        {
            foreach (var row in Features)
            {
                if (!float.IsNaN(row[j]))
                {
                    present.Add(j);
                    break;
                }
            }
        }

        return present;
    }
}

using System.Text.Json;
using Crm.Pipeline.Features;
using Crm.Pipeline.Jobs;
using Crm.Pipeline.Warehouse;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using Npgsql;
using NpgsqlTypes;

namespace Crm.Pipeline.Segments;

/// <summary>
/// The <c>segments</c> stage: RFM segments with manager names and (optionally) k-means clusters of the
/// feature vectors, as of the run's "today", into <c>ml.customer_segment</c> (one row per customer, date
/// and scheme; earlier dates stay, so reports can show movement).
/// </summary>
public sealed partial class SegmentsStage : IPipelineStage
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly IOptionsMonitor<SegmentOptions> _options;
    private readonly IOptionsMonitor<AsOfOptions> _asOf;
    private readonly ILogger _logger;

    /// <summary>Creates the stage.</summary>
    public SegmentsStage(NpgsqlDataSource dataSource, IOptionsMonitor<SegmentOptions> options, IOptionsMonitor<AsOfOptions> asOf, ILogger<SegmentsStage>? logger = null)
    {
        _dataSource = dataSource;
        _options = options;
        _asOf = asOf;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <inheritdoc />
    public string Name => "segments";

    /// <inheritdoc />
    public async Task<StageResult> RunAsync(StageContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var asOf = await AsOfDay.ResolveAsync(_dataSource, _asOf.CurrentValue.AsOf, cancellationToken).ConfigureAwait(false);
        Log.Started(_logger, asOf);
        var built = await FeatureCutoffs.ReadAsync(_dataSource, cancellationToken).ConfigureAwait(false);
        if (!built.TryGetValue(asOf, out var features) || features.Slots < FeatureSample.All)
        {
            throw new FeaturesMissingException(
                $"No features of every customer as of {asOf:yyyy-MM-dd} (Crm:Churn:AsOf or the day after the last order): run the features stage first (crm run features).");
        }

        context.Progress.Report(0.2, "RFM segments");
        await using (var command = _dataSource.CreateCommand(SqlResource.Load("segments_rfm.sql")))
        {
            CustomerSummaryQuery.AddCutoff(command, asOf);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var clustered = 0;
        if (_options.CurrentValue.KMeans)
        {
            context.Progress.Report(0.5, "k-means clusters");
            clustered = await ClusterAsync(asOf, _options.CurrentValue, cancellationToken).ConfigureAwait(false);
        }

        await using var count = _dataSource.CreateCommand("select count(*) from ml.customer_segment where as_of = @cutoff_date and scheme = 'rfm'");
        CustomerSummaryQuery.AddCutoff(count, asOf);
        var rfm = (long)(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        Log.Finished(_logger, asOf, rfm, clustered, clock.ElapsedMilliseconds);
        return new StageResult(rfm, rfm + clustered, $"{rfm} customers in RFM segments, {clustered} clustered, as of {asOf:yyyy-MM-dd}");
    }

    private async Task<int> ClusterAsync(DateOnly asOf, SegmentOptions options, CancellationToken cancellationToken)
    {
        var data = await FeatureRows.LoadAsync(_dataSource, asOf, cancellationToken).ConfigureAwait(false);
        var present = data.PresentFeatures().ToArray();
        if (data.Count < options.Clusters || present.Length == 0)
        {
            return 0;
        }

        var ml = new MLContext(options.Seed);
        var rows = data.Features.Select(f => new Row { Features = present.Select(j => f[j]).ToArray() }).ToArray();
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, present.Length);
        var view = ml.Data.LoadFromEnumerable(rows, schema);
        var fit = view;
        if (options.MaxFitCustomers > 0 && rows.Length > options.MaxFitCustomers)
        {
            var step = (double)rows.Length / options.MaxFitCustomers;
            fit = ml.Data.LoadFromEnumerable(Enumerable.Range(0, options.MaxFitCustomers).Select(k => rows[(int)(k * step)]), schema);
        }

        var pipeline = ml.Transforms.ReplaceMissingValues("Features", replacementMode: MissingValueReplacingEstimator.ReplacementMode.Mean)
            .Append(ml.Transforms.NormalizeMeanVariance("Features"))
            .Append(ml.Clustering.Trainers.KMeans("Features", numberOfClusters: options.Clusters));
        var clusters = pipeline.Fit(fit).Transform(view).GetColumn<uint>("PredictedLabel").ToArray();

        // Describe each cluster by the mean of the RFM basics so a manager can name it.
        var recency = FeatureIndex("recency_days");
        var orders = FeatureIndex("orders_all");
        var monetary = FeatureIndex("monetary_all");
        var detail = clusters.Distinct().ToDictionary(c => c, c =>
        {
            var members = Enumerable.Range(0, clusters.Length).Where(i => clusters[i] == c).ToList();
            return JsonSerializer.Serialize(new
            {
                size = members.Count,
                mean_recency_days = Math.Round(members.Average(i => data.Features[i][recency]), 1),
                mean_orders = Math.Round(members.Average(i => data.Features[i][orders]), 2),
                mean_monetary = Math.Round(members.Average(i => data.Features[i][monetary]), 2),
            });
        });

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var delete = new NpgsqlCommand("delete from ml.customer_segment where as_of = @cutoff_date and scheme = 'kmeans'", connection))
        {
            CustomerSummaryQuery.AddCutoff(delete, asOf);
            await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var importer = await connection.BeginBinaryImportAsync(
            "copy ml.customer_segment (customer_id, as_of, scheme, segment, detail) from stdin (format binary)", cancellationToken).ConfigureAwait(false))
        {
            for (var i = 0; i < clusters.Length; i++)
            {
                await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(data.CustomerIds[i], NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(asOf, NpgsqlDbType.Date, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync("kmeans", NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync($"cluster {clusters[i]}", NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(detail[clusters[i]], NpgsqlDbType.Jsonb, cancellationToken).ConfigureAwait(false);
            }

            await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return clusters.Length;
    }

    private static int FeatureIndex(string name)
    {
        for (var i = 0; i < FeatureColumns.All.Count; i++)
        {
            if (FeatureColumns.All[i] == name)
            {
                return i;
            }
        }

        throw new InvalidOperationException($"Unknown feature '{name}'.");
    }

    private sealed class Row
    {
        public float[] Features { get; set; } = [];
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3401, Level = LogLevel.Information, Message = "Segments as of {AsOf}")]
        public static partial void Started(ILogger logger, DateOnly asOf);

        [LoggerMessage(EventId = 3402, Level = LogLevel.Information, Message = "Segments as of {AsOf} done: {Rfm} customers in RFM segments, {Clustered} clustered in {ElapsedMs} ms")]
        public static partial void Finished(ILogger logger, DateOnly asOf, long rfm, int clustered, long elapsedMs);
    }
}

using System.Text.Json;
using Crm.Pipeline.Jobs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Crm.Pipeline.Features;

namespace Crm.Pipeline.Churn;

/// <summary>The outcome of a scoring run.</summary>
/// <param name="ModelVersion">The model that scored.</param>
/// <param name="Scored">Customers scored.</param>
/// <param name="HighRisk">Customers in the high band.</param>
/// <param name="FellBack">True when the current champion was unusable and an earlier one scored.</param>
public sealed record ScoringOutcome(string ModelVersion, int Scored, int HighRisk, bool FellBack);

/// <summary>
/// Scores every active customer with the champion into <c>ml.churn_score</c> (history kept: one row per
/// customer per run), with risk band and top drivers. A champion whose artifact is missing, fails its
/// SHA-256 or will not load is skipped for the last good earlier champion, and an alert is raised.
/// </summary>
public sealed partial class ChurnScorer
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly IOptionsMonitor<ChurnOptions> _options;
    private readonly ILogger _logger;

    /// <summary>Creates the scorer.</summary>
    public ChurnScorer(NpgsqlDataSource dataSource, IOptionsMonitor<ChurnOptions> options, ILogger<ChurnScorer>? logger = null)
    {
        _dataSource = dataSource;
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Scores the active customers as of the run's "today".</summary>
    /// <exception cref="InvalidOperationException">Champions exist but none has a usable artifact (an alert is raised too).</exception>
    public async Task<ScoringOutcome> ScoreAsync(IProgressSink progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(progress);
        var options = _options.CurrentValue;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var asOf = await AsOfDay.ResolveAsync(_dataSource, options.AsOf, cancellationToken).ConfigureAwait(false);
        var built = await FeatureCutoffs.ReadAsync(_dataSource, cancellationToken).ConfigureAwait(false);
        if (!built.TryGetValue(asOf, out var features) || features.Slots < FeatureSample.All)
        {
            throw new FeaturesMissingException(
                $"No features of every customer as of {asOf:yyyy-MM-dd} (Crm:Churn:AsOf or the day after the last order): run the features stage first (crm run features).");
        }

        Log.Started(_logger, asOf);
        var history = await new ModelRegistry(_dataSource).ChampionHistoryAsync(cancellationToken).ConfigureAwait(false);
        if (history.Count == 0)
        {
            await Alerts.RaiseAsync(_dataSource, "score", "warning", "No champion churn model yet: nothing scored. Run the train stage.", cancellationToken).ConfigureAwait(false);
            Log.NoChampion(_logger);
            return new ScoringOutcome("", 0, 0, false);
        }

        var (model, record, fellBack) = await LoadChampionAsync(history, cancellationToken).ConfigureAwait(false);

        progress.Report(0.2, $"scoring with {record.Version}");
        var data = await ChurnData.LoadAsync(_dataSource, [asOf], 0, options.ActiveWindowDays, cancellationToken).ConfigureAwait(false);
        double[] probabilities;
        IReadOnlyList<ChurnDriver>[] drivers;
        if (model is null)
        {
            probabilities = ChurnBacktest.BgNbdScores(data);
            drivers = BaselineDrivers(data, probabilities);
        }
        else
        {
            probabilities = model.Predict(data);
            progress.Report(0.5, "explaining");
            drivers = model.Explain(data, options.TopDrivers);
        }

        for (var i = 0; i < drivers.Length; i++)
        {
            drivers[i] = DriverContext.Attach(drivers[i], data.Features[i]);
        }

        progress.Report(0.8, "writing scores");
        var scoredAt = AsOfDay.OutputStamp(asOf, DateTime.UtcNow);
        var bands = Bands(probabilities, options);
        var high = 0;
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var delete = new NpgsqlCommand("delete from ml.churn_score where scored_at = @t", connection, transaction))
        {
            delete.Parameters.AddWithValue("t", scoredAt);
            await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var importer = await connection.BeginBinaryImportAsync(
            "copy ml.churn_score (customer_id, scored_at, model_version, probability, risk_band, top_drivers) from stdin (format binary)",
            cancellationToken).ConfigureAwait(false))
        {
            for (var i = 0; i < data.Count; i++)
            {
                var band = bands[i];
                high += band == "high" ? 1 : 0;
                await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(data.CustomerIds[i], NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(scoredAt, NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(record.Version, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(probabilities[i], NpgsqlDbType.Double, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(band, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(JsonSerializer.Serialize(drivers[i], ModelRegistry.Json), NpgsqlDbType.Jsonb, cancellationToken).ConfigureAwait(false);
            }

            await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        Log.Finished(_logger, asOf, record.Version, data.Count, high, clock.ElapsedMilliseconds);
        return new ScoringOutcome(record.Version, data.Count, high, fellBack);
    }

    /// <summary>The risk band of a probability by the fixed thresholds: high, medium or low.</summary>
    public static string Band(double probability, ChurnOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return probability >= options.HighRiskThreshold ? "high" : probability >= options.MediumRiskThreshold ? "medium" : "low";
    }

    /// <summary>
    /// The risk band of each of one run's probabilities by <see cref="ChurnOptions.RiskBands"/>. By share, the band
    /// edges are the probabilities at those ranks, so equal probabilities always share a band (a band can then
    /// hold a few more than its share).
    /// </summary>
    public static string[] Bands(IReadOnlyList<double> probabilities, ChurnOptions options)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentNullException.ThrowIfNull(options);
        var bands = new string[probabilities.Count];
        if (options.RiskBands == RiskBandRule.Probability || probabilities.Count == 0)
        {
            for (var i = 0; i < bands.Length; i++)
            {
                bands[i] = Band(probabilities[i], options);
            }

            return bands;
        }

        var sorted = probabilities.ToArray();
        Array.Sort(sorted, (a, b) => b.CompareTo(a));
        var highCount = (int)Math.Round(sorted.Length * options.HighRiskShare, MidpointRounding.AwayFromZero);
        var mediumCount = (int)Math.Round(sorted.Length * (options.HighRiskShare + options.MediumRiskShare), MidpointRounding.AwayFromZero);
        var high = highCount > 0 ? sorted[Math.Min(highCount, sorted.Length) - 1] : double.PositiveInfinity;
        var medium = mediumCount > 0 ? sorted[Math.Min(mediumCount, sorted.Length) - 1] : double.PositiveInfinity;
        for (var i = 0; i < bands.Length; i++)
        {
            bands[i] = probabilities[i] >= high ? "high" : probabilities[i] >= medium ? "medium" : "low";
        }

        return bands;
    }

    /// <summary>
    /// The BG/NBD champion's one driver: its own P(no purchase), raising the risk above the scored customers' mean
    /// and lowering it below (the contribution is the difference in log-odds from the mean).
    /// </summary>
    private static IReadOnlyList<ChurnDriver>[] BaselineDrivers(ChurnData data, double[] probabilities)
    {
        var mean = probabilities.Length == 0 ? 0.5 : probabilities.Average();
        static double Logit(double p)
        {
            var c = Math.Clamp(p, 1e-7, 1 - 1e-7);
            return Math.Log(c / (1 - c));
        }

        var index = Enumerable.Range(0, Features.FeatureColumns.All.Count).First(j => Features.FeatureColumns.All[j] == Features.FeatureColumns.ProbabilityNoPurchase);

        var result = new IReadOnlyList<ChurnDriver>[probabilities.Length];
        for (var i = 0; i < result.Length; i++)
        {
            var v = data.Features[i][index];
            var contribution = Math.Round(Logit(probabilities[i]) - Logit(mean), 6);
            result[i] = contribution == 0 || float.IsNaN(v) ? [] : [new ChurnDriver(Features.FeatureColumns.ProbabilityNoPurchase, v, contribution, contribution > 0 ? "raises" : "lowers")];
        }

        return result;
    }

    /// <summary>The first usable champion of <paramref name="history"/>; a null model means the BG/NBD baseline scores.</summary>
    private async Task<(ChurnModel? Model, ModelRecord Record, bool FellBack)> LoadChampionAsync(IReadOnlyList<ModelRecord> history, CancellationToken cancellationToken)
    {
        var failures = new List<string>();
        foreach (var record in history)
        {
            if (record.IsBaseline)
            {
                if (failures.Count > 0)
                {
                    await Alerts.RaiseAsync(_dataSource, "score", "error",
                        $"Churn model {string.Join(", ", failures)}; scoring with the last good champion {record.Version}.", cancellationToken).ConfigureAwait(false);
                }

                return (null, record, failures.Count > 0);
            }

            try
            {
                if (record.Artifact is null)
                {
                    throw new InvalidDataException("artifact missing");
                }

                var model = ChurnModel.Load(record.Artifact, record.ArtifactSha256, record.Trainer, record.Features, record.OddsCorrection, record.Seed, record.Calibration);
                if (failures.Count > 0)
                {
                    await Alerts.RaiseAsync(_dataSource, "score", "error",
                        $"Churn model {string.Join(", ", failures)}; scoring with the last good champion {record.Version}.", cancellationToken).ConfigureAwait(false);
                }

                return (model, record, failures.Count > 0);
            }
            catch (InvalidDataException e)
            {
                failures.Add($"{record.Version} is unusable ({e.Message})");
            }
        }

        var message = $"No usable churn model: {string.Join(", ", failures)}. Retrain (`crm run train`).";
        await Alerts.RaiseAsync(_dataSource, "score", "error", message, cancellationToken).ConfigureAwait(false);
        throw new InvalidOperationException(message);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3201, Level = LogLevel.Information, Message = "Scoring as of {AsOf}")]
        public static partial void Started(ILogger logger, DateOnly asOf);

        [LoggerMessage(EventId = 3202, Level = LogLevel.Information, Message = "Scored as of {AsOf} with {Version}: {Scored} customers, {HighRisk} high risk in {ElapsedMs} ms")]
        public static partial void Finished(ILogger logger, DateOnly asOf, string version, int scored, int highRisk, long elapsedMs);

        [LoggerMessage(EventId = 3203, Level = LogLevel.Warning, Message = "No champion churn model yet: nothing scored")]
        public static partial void NoChampion(ILogger logger);
    }
}

using Crm.Pipeline.Jobs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Crm.Pipeline.Features;

namespace Crm.Pipeline.Clv;

/// <summary>
/// The <c>clv</c> stage: fits BG/NBD and Gamma-Gamma on the warehouse as of the run's "today" and writes
/// every active customer's probability alive, expected purchases, expected spend and discounted CLV to
/// <c>ml.customer_value</c> (one snapshot per run: history kept).
/// </summary>
public sealed partial class ClvStage : IPipelineStage
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly IOptionsMonitor<ClvOptions> _options;
    private readonly IOptionsMonitor<AsOfOptions> _asOf;
    private readonly ILogger _logger;

    /// <summary>Creates the stage.</summary>
    public ClvStage(NpgsqlDataSource dataSource, IOptionsMonitor<ClvOptions> options, IOptionsMonitor<AsOfOptions> asOf, ILogger<ClvStage>? logger = null)
    {
        _dataSource = dataSource;
        _options = options;
        _asOf = asOf;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <inheritdoc />
    public string Name => "clv";

    /// <inheritdoc />
    public async Task<StageResult> RunAsync(StageContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var asOf = await AsOfDay.ResolveAsync(_dataSource, _asOf.CurrentValue.AsOf, cancellationToken).ConfigureAwait(false);
        Log.Started(_logger, asOf);
        context.Progress.Report(0.1, $"customer summaries as of {asOf:yyyy-MM-dd}");
        var fit = await FitAsync(_dataSource, asOf, _options.CurrentValue, false, cancellationToken).ConfigureAwait(false);
        if (fit is null)
        {
            Log.TooFewBuyers(_logger, asOf);
            return new StageResult(0, 0, "fewer than two repeat buyers: no CLV");
        }

        context.Progress.Report(0.7, "writing customer values");
        await WriteAsync(_dataSource, fit, _options.CurrentValue.HorizonDays, AsOfDay.OutputStamp(asOf, DateTime.UtcNow), cancellationToken).ConfigureAwait(false);
        Log.Finished(_logger, asOf, fit.CustomerIds.Length, clock.ElapsedMilliseconds);
        return new StageResult(fit.CustomerIds.Length, fit.CustomerIds.Length,
            $"{fit.CustomerIds.Length} customers valued; BG/NBD r={fit.Purchases.R:G4} alpha={fit.Purchases.Alpha:G4} a={fit.Purchases.A:G4} b={fit.Purchases.B:G4}");
    }

    /// <summary>Reads the summaries as of <paramref name="cutoff"/> and fits; null when there are too few repeat buyers.</summary>
    public static async Task<ClvFit?> FitAsync(NpgsqlDataSource dataSource, DateOnly cutoff, ClvOptions options, bool withPareto, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var (ids, summaries) = await CustomerSummaryQuery.ReadAsync(connection, cutoff, cancellationToken).ConfigureAwait(false);
        if (summaries.Count(s => s.Frequency > 0 && s.MonetaryValue > 0) < 2)
        {
            return null;
        }

        return ClvFit.Compute(cutoff, ids, summaries, options, withPareto);
    }

    /// <summary>Writes one snapshot of customer values.</summary>
    public static async Task WriteAsync(NpgsqlDataSource dataSource, ClvFit fit, int horizonDays, DateTime computedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(fit);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var delete = new NpgsqlCommand("delete from ml.customer_value where computed_at = @t", connection, transaction))
        {
            // A re-run as of the same past day writes the same stamp: it replaces that snapshot.
            delete.Parameters.AddWithValue("t", computedAt);
            await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var importer = await connection.BeginBinaryImportAsync(
            "copy ml.customer_value (customer_id, computed_at, p_alive, expected_purchases, expected_avg_value, clv, horizon_days) from stdin (format binary)",
            cancellationToken).ConfigureAwait(false))
        {
            for (var i = 0; i < fit.CustomerIds.Length; i++)
            {
                var v = fit.Values[i];
                await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(fit.CustomerIds[i], NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(computedAt, NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(v.ProbabilityAlive, NpgsqlDbType.Double, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(v.ExpectedPurchases, NpgsqlDbType.Double, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(v.ExpectedAverageValue, NpgsqlDbType.Double, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(v.Clv, NpgsqlDbType.Double, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(horizonDays, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
            }

            await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3301, Level = LogLevel.Information, Message = "Customer values as of {AsOf}")]
        public static partial void Started(ILogger logger, DateOnly asOf);

        [LoggerMessage(EventId = 3302, Level = LogLevel.Information, Message = "Customer values as of {AsOf} done: {Customers} customers valued in {ElapsedMs} ms")]
        public static partial void Finished(ILogger logger, DateOnly asOf, int customers, long elapsedMs);

        [LoggerMessage(EventId = 3303, Level = LogLevel.Warning, Message = "No customer values as of {AsOf}: fewer than two repeat buyers")]
        public static partial void TooFewBuyers(ILogger logger, DateOnly asOf);
    }
}

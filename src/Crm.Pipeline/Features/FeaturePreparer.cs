using System.Diagnostics;
using System.Globalization;
using Crm.Pipeline.Jobs;
using Crm.Pipeline.Warehouse;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Crm.Pipeline.Features;

/// <summary>What one features run built.</summary>
/// <param name="AsOf">"Today" of the run.</param>
/// <param name="Cutoffs">Every cutoff the layout needs, oldest first.</param>
/// <param name="Built">The cutoffs built or rebuilt by this run.</param>
/// <param name="Rows">Feature rows written by this run.</param>
/// <param name="PastSampleSlots">The hash sample the past cutoffs cover (<see cref="FeatureSample"/>).</param>
public sealed record FeatureRun(DateOnly AsOf, IReadOnlyList<DateOnly> Cutoffs, int Built, long Rows, int PastSampleSlots);

/// <summary>
/// Owns <c>ml.customer_features</c>'s cutoffs: builds every cutoff of the layout (<see cref="FeaturesOptions.Layout"/>)
/// that is missing, built for a smaller sample, or (with rebuild) stale. Today's cutoff is built for every customer,
/// the past ones for the sample of <see cref="FeaturesOptions.FeatureSampleCustomers"/>. Retention drops the cutoffs
/// the layout no longer uses (<see cref="NeededAsync"/>).
/// </summary>
public sealed partial class FeaturePreparer
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly FeatureBuilder _builder;
    private readonly IOptionsMonitor<FeaturesOptions> _options;
    private readonly IOptionsMonitor<AsOfOptions> _asOf;
    private readonly ILogger _logger;

    /// <summary>Creates the preparer.</summary>
    public FeaturePreparer(
        NpgsqlDataSource dataSource, FeatureBuilder builder, IOptionsMonitor<FeaturesOptions> options, IOptionsMonitor<AsOfOptions> asOf,
        ILogger<FeaturePreparer>? logger = null)
    {
        _dataSource = dataSource;
        _builder = builder;
        _options = options;
        _asOf = asOf;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>
    /// Builds the features of any cutoff of the layout that has none yet (or was built for fewer customers). With
    /// <paramref name="rebuild"/>, also rebuilds the cutoffs whose inputs changed since they were computed: identity
    /// links (merges move orders between golden customers) or orders dated before the cutoff that arrived or changed
    /// later. Features of a cutoff depend only on facts before it, so the others stay.
    /// </summary>
    public async Task<FeatureRun> PrepareAsync(bool rebuild, IProgressSink progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(progress);
        var options = _options.CurrentValue;
        var clock = Stopwatch.StartNew();
        await SeedIdentityIfConfiguredAsync(cancellationToken).ConfigureAwait(false);
        var asOf = await AsOfDay.ResolveAsync(_dataSource, _asOf.CurrentValue.AsOf, cancellationToken).ConfigureAwait(false);
        long customers;
        await using (var count = _dataSource.CreateCommand("select count(*) from core.customer where status = 'active'"))
        {
            customers = (long)(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }

        var pastSlots = FeatureSample.SlotsFor(customers, options.FeatureSampleCustomers);
        var cutoffs = options.Layout().All(asOf);
        Log.Started(_logger, asOf, cutoffs.Count, rebuild);
        var built = await FeatureCutoffs.ReadAsync(_dataSource, cancellationToken).ConfigureAwait(false);
        var done = 0;
        long rows = 0;
        for (var i = 0; i < cutoffs.Count; i++)
        {
            var c = cutoffs[i];
            var slots = c == asOf ? FeatureSample.All : pastSlots;
            var build = !built.TryGetValue(c, out var was)
                || was.Slots < slots
                || (rebuild && await IsStaleAsync(c, was.At, cancellationToken).ConfigureAwait(false));
            if (build)
            {
                var share = slots == FeatureSample.All ? "" : string.Create(CultureInfo.InvariantCulture, $" ({FeatureSample.Share(slots):P1} sample)");
                progress.Report((double)i / cutoffs.Count, $"features as of {c:yyyy-MM-dd}{share}");
                var one = Stopwatch.StartNew();
                var n = await _builder.BuildAsync(c, slots, cancellationToken).ConfigureAwait(false);
                Log.CutoffBuilt(_logger, c, n, slots, one.ElapsedMilliseconds);
                rows += n;
                done++;
            }
        }

        Log.Finished(_logger, asOf, done, cutoffs.Count - done, rows, clock.ElapsedMilliseconds);
        return new FeatureRun(asOf, cutoffs, done, rows, pastSlots);
    }

    /// <summary>The cutoffs the layout needs as of the configured or derived "today" (those retention keeps).</summary>
    public async Task<IReadOnlyList<DateOnly>> NeededAsync(CancellationToken cancellationToken)
    {
        var asOf = await AsOfDay.ResolveAsync(_dataSource, _asOf.CurrentValue.AsOf, cancellationToken).ConfigureAwait(false);
        return _options.CurrentValue.Layout().All(asOf);
    }

    /// <summary>With <see cref="FeaturesOptions.SeedOneToOneIdentity"/>, gives source customers without a golden record their own.</summary>
    public async Task SeedIdentityIfConfiguredAsync(CancellationToken cancellationToken)
    {
        if (!_options.CurrentValue.SeedOneToOneIdentity)
        {
            return;
        }

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(SqlResource.Load("seed_identity_one_to_one.sql"), connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> IsStaleAsync(DateOnly cutoff, DateTime computedAt, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(
            """
            select exists (select 1 from core.customer_identity where linked_at > @at)
                or exists (select 1 from core.customer where updated_at > @at)
                or exists (select 1 from core."order" where updated_at > @at and order_ts < @cutoff)
            """);
        CustomerSummaryQuery.AddCutoff(command, cutoff);
        command.Parameters.Add(new NpgsqlParameter("at", NpgsqlTypes.NpgsqlDbType.TimestampTz) { Value = DateTime.SpecifyKind(computedAt, DateTimeKind.Utc) });
        return (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Features as of {AsOf}: {Cutoffs} cutoffs in the layout (rebuild stale: {Rebuild})")]
        public static partial void Started(ILogger logger, DateOnly asOf, int cutoffs, bool rebuild);

        [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Built features of cutoff {Cutoff}: {Rows} customers (sample {SampleSlots} of 1048576) in {ElapsedMs} ms")]
        public static partial void CutoffBuilt(ILogger logger, DateOnly cutoff, long rows, int sampleSlots, long elapsedMs);

        [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "Features as of {AsOf} done: {Built} cutoffs built, {Kept} kept, {Rows} rows in {ElapsedMs} ms")]
        public static partial void Finished(ILogger logger, DateOnly asOf, int built, int kept, long rows, long elapsedMs);
    }
}

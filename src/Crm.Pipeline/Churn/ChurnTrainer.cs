using Crm.Pipeline.Features;
using Crm.Pipeline.Jobs;
using Crm.Pipeline.Ops;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Crm.Pipeline.Churn;

/// <summary>The outcome of a nightly retrain.</summary>
/// <param name="Version">The challenger's version.</param>
/// <param name="Decision">Promoted or not, and why.</param>
/// <param name="Report">The backtest behind the decision.</param>
/// <param name="ChampionAuc">The champion's AUC at the latest cutoff, when there was one.</param>
/// <param name="TrainRows">Rows the challenger was trained on.</param>
public sealed record TrainingOutcome(string Version, PromotionDecision Decision, BacktestReport Report, double? ChampionAuc, int TrainRows)
{
    /// <summary>True when the retrained model was already in the registry (same version); its status was left as it was.</summary>
    public bool Unchanged { get; init; }
}

/// <summary>
/// Retrains the churn model: ensures the features of every cutoff exist, runs the rolling backtest,
/// trains the challenger (FastTree) on the most recent labelled cutoffs, compares it with the champion
/// on the latest cutoff and promotes or rejects it with a recorded reason.
/// </summary>
public sealed class ChurnTrainer
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly FeatureBuilder _features;
    private readonly IOptionsMonitor<ChurnOptions> _options;

    /// <summary>Creates the trainer.</summary>
    public ChurnTrainer(NpgsqlDataSource dataSource, FeatureBuilder features, IOptionsMonitor<ChurnOptions> options)
    {
        _dataSource = dataSource;
        _features = features;
        _options = options;
    }

    /// <summary>
    /// The run's calendar, building the features of any cutoff that has none yet. With
    /// <paramref name="rebuild"/>, also rebuilds the cutoffs whose inputs changed since they were computed:
    /// identity links (merges move orders between golden customers) or orders dated before the cutoff that
    /// arrived or changed later. Features of a cutoff depend only on facts before it, so the others stay.
    /// Today's cutoff is built for every customer, the past ones for the sample of
    /// <see cref="ChurnOptions.FeatureSampleCustomers"/> (a past cutoff built for fewer is rebuilt).
    /// </summary>
    public async Task<ChurnCalendar> PrepareAsync(bool rebuild, IProgressSink progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(progress);
        var options = _options.CurrentValue;
        await SeedIdentityIfConfiguredAsync(cancellationToken).ConfigureAwait(false);
        var asOf = await ChurnCalendar.ResolveAsOfAsync(_dataSource, options, cancellationToken).ConfigureAwait(false);
        long customers;
        await using (var count = _dataSource.CreateCommand("select count(*) from core.customer where status = 'active'"))
        {
            customers = (long)(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }

        var calendar = ChurnCalendar.For(asOf, options) with { PastSampleSlots = FeatureSample.SlotsFor(customers, options.FeatureSampleCustomers) };
        var cutoffs = calendar.AllFeatureCutoffs(options);
        var built = new Dictionary<DateOnly, (int Slots, DateTime At)>();
        await using (var command = _dataSource.CreateCommand("select cutoff, sample_slots, computed_at from ml.feature_cutoff"))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                built[reader.GetFieldValue<DateOnly>(0)] = (reader.GetInt32(1), reader.GetDateTime(2));
            }
        }

        for (var i = 0; i < cutoffs.Count; i++)
        {
            var c = cutoffs[i];
            var slots = c == calendar.AsOf ? FeatureSample.All : calendar.PastSampleSlots;
            var build = !built.TryGetValue(c, out var was)
                || was.Slots < slots
                || (rebuild && await IsStaleAsync(c, was.At, cancellationToken).ConfigureAwait(false));
            if (build)
            {
                var share = slots == FeatureSample.All ? "" : string.Create(System.Globalization.CultureInfo.InvariantCulture, $" ({FeatureSample.Share(slots):P1} sample)");
                progress.Report((double)i / cutoffs.Count, $"features as of {c:yyyy-MM-dd}{share}");
                await _features.BuildAsync(c, slots, cancellationToken).ConfigureAwait(false);
            }
        }

        return calendar;
    }

    private async Task<bool> IsStaleAsync(DateOnly cutoff, DateTime computedAt, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(
            """
            select exists (select 1 from core.customer_identity where linked_at > @at)
                or exists (select 1 from core.customer where updated_at > @at)
                or exists (select 1 from core."order" where updated_at > @at and order_ts < @cutoff)
            """);
        Clv.CustomerSummaryQuery.AddCutoff(command, cutoff);
        command.Parameters.Add(new NpgsqlParameter("at", NpgsqlTypes.NpgsqlDbType.TimestampTz) { Value = DateTime.SpecifyKind(computedAt, DateTimeKind.Utc) });
        return (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>With <see cref="ChurnOptions.SeedOneToOneIdentity"/>, gives source customers without a golden record their own.</summary>
    public async Task SeedIdentityIfConfiguredAsync(CancellationToken cancellationToken)
    {
        if (!_options.CurrentValue.SeedOneToOneIdentity)
        {
            return;
        }

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(Warehouse.SqlResource.Load("seed_identity_one_to_one.sql"), connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs the retrain and records the challenger with its status.</summary>
    public async Task<TrainingOutcome> TrainAsync(IProgressSink progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(progress);
        var options = _options.CurrentValue;
        var calendar = await PrepareAsync(false, progress, cancellationToken).ConfigureAwait(false);
        var backtest = new ChurnBacktest(_dataSource, options, calendar.PastSampleSlots);
        var report = await backtest.RunAsync(calendar, progress, cancellationToken).ConfigureAwait(false);

        progress.Report(0.8, "training the challenger");
        var train = await backtest.LabelledAsync(calendar.TrainingCutoffs, cancellationToken).ConfigureAwait(false);
        if (train.Labels.Distinct().Count() < 2)
        {
            return new TrainingOutcome("", new PromotionDecision(false,
                $"not enough history to train: {train.Count} labelled customers at cutoffs {calendar.TrainingCutoffs[0]:yyyy-MM-dd}..{calendar.TrainingCutoffs[^1]:yyyy-MM-dd} (need churned and retained ones)"),
                report, null, train.Count);
        }

        var features = ChurnBacktest.Present(train);
        var challenger = ChurnModel.Train(train, ChurnModel.FastTree, features, options);

        var latestTest = await backtest.LabelledAsync([calendar.LatestLabelled], cancellationToken).ConfigureAwait(false);
        // The sanity checks (features present, predictions not collapsed) hold on a sample as well as on everyone.
        var scoring = await ChurnData.LoadAsync(_dataSource, [calendar.AsOf], 0, options.ActiveWindowDays, calendar.PastSampleSlots, cancellationToken).ConfigureAwait(false);
        var challengerLatest = report.Latest(ChurnModel.FastTree);
        var sanity = PromotionPolicy.SanityFailures(
            features, ChurnBacktest.Present(scoring),
            report.Results.Where(r => r.Model == ChurnModel.FastTree).Select(r => r.Metrics),
            options.MinimumAuc, challenger.Predict(scoring.Count > 0 ? scoring : latestTest));

        var registry = new ModelRegistry(_dataSource);
        var champion = await registry.ChampionAsync(cancellationToken).ConfigureAwait(false);
        double? championAuc = null;
        var championBasis = "champion";
        if (champion is { TrainingTo: { } seen } && seen.AddDays(options.HorizonDays) > calendar.LatestLabelled)
        {
            // The champion was trained on labels that reach into the latest cutoff's label window: scored there it
            // would grade itself on answers it has seen. Compare with its own out-of-sample backtest AUC instead.
            championAuc = champion.LatestAuc;
            championBasis = "champion's backtest";
        }
        else if (champion is not null && latestTest.Count > 0)
        {
            try
            {
                var championModel = ChurnModel.Load(champion.Artifact ?? [], champion.ArtifactSha256, champion.Trainer, champion.Features, champion.OddsCorrection, champion.Seed);
                championAuc = ChurnMetrics.Compute(latestTest.Labels, championModel.Predict(latestTest)).RocAuc;
            }
            catch (InvalidDataException e)
            {
                await Alerts.RaiseAsync(_dataSource, "train", "error", $"Champion {champion.Version} cannot be loaded: {e.Message}", cancellationToken).ConfigureAwait(false);
            }
        }

        var latestAuc = challengerLatest?.Metrics.RocAuc ?? double.NaN;
        var decision = PromotionPolicy.Decide(latestAuc, championAuc, sanity, options.PromotionMargin, championBasis);
        // The record says which customers the training cutoffs held, so the model can be rebuilt from it.
        var hyperparameters = ChurnModel.Hyperparameters(ChurnModel.FastTree, options);
        hyperparameters["feature_sample_slots"] = calendar.PastSampleSlots;
        hyperparameters["feature_sample_of"] = FeatureSample.All;
        var record = await registry.AddAsync(
            challenger, hyperparameters, calendar.TrainingCutoffs[0], calendar.TrainingCutoffs[^1],
            new { horizon_days = options.HorizonDays, backtest = report.Results, champion_auc = championAuc },
            latestAuc, "challenger", null, cancellationToken).ConfigureAwait(false);
        if (record.Status != "challenger")
        {
            // Retrained on unchanged data: the same model is already in the registry, and its status stands.
            var unchanged = record.Status == "champion"
                ? new PromotionDecision(true, "same model as the current champion (retrained on unchanged data)")
                : new PromotionDecision(false, $"same model as before, still {record.Status}: {record.StatusReason}");
            return new TrainingOutcome(record.Version, unchanged, report, championAuc, train.Count) { Unchanged = true };
        }

        if (decision.Promote)
        {
            await registry.PromoteAsync(record.Version, decision.Reason, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await registry.SetStatusAsync(record.Version, "rejected", decision.Reason, cancellationToken).ConfigureAwait(false);
        }

        return new TrainingOutcome(record.Version, decision, report, championAuc, train.Count);
    }
}

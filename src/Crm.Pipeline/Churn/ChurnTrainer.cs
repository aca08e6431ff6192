using System.Text.Json;
using Crm.Pipeline.Features;
using Crm.Pipeline.Jobs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Crm.Pipeline.Churn;

/// <summary>The outcome of a nightly retrain.</summary>
/// <param name="Version">The challenger's version.</param>
/// <param name="Decision">Promoted or not, and why.</param>
/// <param name="Report">The backtest behind the decision.</param>
/// <param name="TrainRows">Rows the challenger was trained on.</param>
/// <param name="ChampionAuc">The champion's mean AUC over the backtest cutoffs (its recipe backtested), when there was one.</param>
public sealed record TrainingOutcome(string Version, PromotionDecision Decision, BacktestReport Report, double? ChampionAuc, int TrainRows)
{
    /// <summary>The candidate that challenged, and why (null when there was not enough history).</summary>
    public ChallengerChoice? Challenger { get; init; }

    /// <summary>True when the retrained model was already in the registry (same version); its status was left as it was.</summary>
    public bool Unchanged { get; init; }
}

/// <summary>
/// Retrains the churn model from the features the features stage built: runs the rolling backtest of every
/// trainer beside BG/NBD, trains the best one (when it beats BG/NBD) on the most recent labelled cutoffs,
/// compares it with the champion on the backtest cutoffs and promotes or rejects it with a recorded reason.
/// </summary>
public sealed partial class ChurnTrainer
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly IOptionsMonitor<ChurnOptions> _options;
    private readonly IOptionsMonitor<FeaturesOptions> _features;
    private readonly ILogger _logger;

    /// <summary>Creates the trainer.</summary>
    public ChurnTrainer(
        NpgsqlDataSource dataSource, IOptionsMonitor<ChurnOptions> options, IOptionsMonitor<FeaturesOptions> features, ILogger<ChurnTrainer>? logger = null)
    {
        _dataSource = dataSource;
        _options = options;
        _features = features;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>
    /// The run's calendar, read from what the features stage built (<see cref="ChurnCalendar.ReadAsync"/>); training
    /// never builds features.
    /// </summary>
    /// <exception cref="FeaturesMissingException">The features stage has not built a cutoff this run needs.</exception>
    public Task<ChurnCalendar> CalendarAsync(CancellationToken cancellationToken) =>
        ChurnCalendar.ReadAsync(_dataSource, _options.CurrentValue, _features.CurrentValue, cancellationToken);

    /// <summary>
    /// Runs the retrain: backtests every trainer and BG/NBD, picks the challenger (<see cref="PromotionPolicy.PickChallenger"/>),
    /// trains it (calibrated) on the training cutoffs unless it is BG/NBD, compares it with the champion's recipe on the same
    /// cutoffs and records it as champion or rejected, with the reason.
    /// </summary>
    public async Task<TrainingOutcome> TrainAsync(IProgressSink progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(progress);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var outcome = await TrainCoreAsync(progress, cancellationToken).ConfigureAwait(false);
        Log.Finished(_logger, outcome.Version, outcome.Challenger?.Name ?? "", outcome.Decision.Promote, outcome.TrainRows, clock.ElapsedMilliseconds);
        if (outcome.Version.Length == 0)
        {
            Log.NotTrained(_logger, outcome.Decision.Reason);
        }

        return outcome;
    }

    private async Task<TrainingOutcome> TrainCoreAsync(IProgressSink progress, CancellationToken cancellationToken)
    {
        var options = _options.CurrentValue;
        var calendar = await CalendarAsync(cancellationToken).ConfigureAwait(false);
        Log.Started(_logger, calendar.AsOf, calendar.BacktestCutoffs.Count, calendar.TrainingCutoffs.Count);
        var backtest = new ChurnBacktest(_dataSource, options, calendar.PastSampleSlots);
        var report = await backtest.RunAsync(calendar, progress, cancellationToken).ConfigureAwait(false);
        var choice = PromotionPolicy.PickChallenger(report, options.TrainerList(), options.PromotionMargin);

        progress.Report(0.8, $"training the challenger ({choice.Name})");
        var train = await backtest.LabelledAsync(calendar.TrainingCutoffs, cancellationToken).ConfigureAwait(false);
        if (train.Labels.Distinct().Count() < 2)
        {
            return new TrainingOutcome("", new PromotionDecision(false,
                $"not enough history to train: {train.Count} labelled customers at cutoffs {calendar.TrainingCutoffs[0]:yyyy-MM-dd}..{calendar.TrainingCutoffs[^1]:yyyy-MM-dd} (need churned and retained ones)"),
                report, null, train.Count);
        }

        var registry = new ModelRegistry(_dataSource);
        var champion = await registry.ChampionAsync(cancellationToken).ConfigureAwait(false);
        var championAuc = champion is null ? null
            : await RecipeAucAsync(champion, report, backtest, calendar, options, cancellationToken).ConfigureAwait(false);
        var means = report.Models().ToDictionary(m => m, report.MeanAuc);
        var latestAuc = report.Latest(choice.Name)?.Metrics.RocAuc ?? double.NaN;

        ModelRecord record;
        PromotionDecision decision;
        if (choice.IsBaseline)
        {
            var sanity = report.Results.Any(r => r.Model == ChurnBacktest.BgNbd) ? [] : new List<string> { "no backtest cutoff could be evaluated" };
            decision = PromotionPolicy.DecideBaseline(choice.MeanAuc, champion, championAuc, sanity, options.PromotionMargin);
            var hyperparameters = new Dictionary<string, object> { ["score"] = FeatureColumns.ProbabilityNoPurchase, ["horizon_days"] = options.HorizonDays };
            record = await registry.AddBaselineAsync(
                calendar.TrainingCutoffs[0], calendar.TrainingCutoffs[^1], hyperparameters,
                new { horizon_days = options.HorizonDays, backtest = report.Results, backtest_mean_auc = means, champion_auc = championAuc, challenger = choice.Reason },
                choice.MeanAuc, latestAuc, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var features = ChurnBacktest.Present(train);
            var challenger = ChurnModel.TrainCalibrated(train, choice.Name, features, options);
            var latestTest = await backtest.LabelledAsync([calendar.LatestLabelled], cancellationToken).ConfigureAwait(false);
            // The sanity checks (features present, predictions not collapsed) hold on a sample as well as on everyone.
            var scoring = await ChurnData.LoadAsync(_dataSource, [calendar.AsOf], 0, options.ActiveWindowDays, calendar.PastSampleSlots, cancellationToken).ConfigureAwait(false);
            var sanity = PromotionPolicy.SanityFailures(
                features, ChurnBacktest.Present(scoring),
                report.Results.Where(r => r.Model == choice.Name).Select(r => r.Metrics),
                options.MinimumAuc, challenger.Predict(scoring.Count > 0 ? scoring : latestTest));
            var recipe = ChurnModel.Hyperparameters(choice.Name, options);
            var sameRecipe = champion is not null && champion.Trainer == choice.Name && SameRecipe(champion, recipe);
            decision = PromotionPolicy.Decide(choice.MeanAuc, championAuc, sanity, options.PromotionMargin, sameRecipe);
            // The record says which customers the training cutoffs held, so the model can be rebuilt from it.
            recipe["feature_sample_slots"] = calendar.PastSampleSlots;
            recipe["feature_sample_of"] = FeatureSample.All;
            var heldOut = train.Where(i => ChurnModel.IsCalibrationFold(train.CustomerIds[i]));
            var latest = report.Latest(choice.Name);
            record = await registry.AddAsync(
                challenger, recipe, calendar.TrainingCutoffs[0], calendar.TrainingCutoffs[^1],
                new
                {
                    horizon_days = options.HorizonDays,
                    backtest = report.Results,
                    backtest_mean_auc = means,
                    champion_auc = championAuc,
                    challenger = choice.Reason,
                    feature_importance = challenger.Importance(heldOut.Count > 0 ? heldOut : train).ToDictionary(kv => kv.Key, kv => kv.Value),
                    reliability = latest?.Metrics.Calibration,
                    reliability_uncalibrated = latest?.Uncalibrated?.Calibration,
                    calibration_choice = challenger.CalibrationChoice,
                },
                latestAuc, "challenger", null, cancellationToken, choice.MeanAuc).ConfigureAwait(false);
        }

        // A BG/NBD record of the same training cutoffs is the same "model", but whether it is champion depends on
        // tonight's champion, so tonight's decision applies to it unless it already is the champion.
        if (record.Status != "challenger" && !(record.IsBaseline && record.Status != "champion"))
        {
            // Retrained on unchanged data: the same model is already in the registry, and its status stands.
            var unchanged = record.Status == "champion"
                ? new PromotionDecision(true, "same model as the current champion (retrained on unchanged data)")
                : new PromotionDecision(false, $"same model as before, still {record.Status}: {record.StatusReason}");
            return new TrainingOutcome(record.Version, unchanged, report, championAuc, train.Count) { Challenger = choice, Unchanged = true };
        }

        // The stage's message, the registry and `crm churn models` give the same reason.
        decision = decision with { Reason = decision.Reason + "; " + choice.Reason };
        if (decision.Promote)
        {
            await registry.PromoteAsync(record.Version, decision.Reason, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await registry.SetStatusAsync(record.Version, "rejected", decision.Reason, cancellationToken).ConfigureAwait(false);
        }

        return new TrainingOutcome(record.Version, decision, report, championAuc, train.Count) { Challenger = choice };
    }

    /// <summary>True when the champion's recorded settings are <paramref name="recipe"/>'s (same trainer settings, seed and calibration).</summary>
    private static bool SameRecipe(ModelRecord champion, Dictionary<string, object> recipe)
    {
        if (champion.Hyperparameters is not { } stored)
        {
            return false;
        }

        var tonight = JsonSerializer.SerializeToNode(recipe, ModelRegistry.Json)!.AsObject();
        return tonight.All(kv => stored[kv.Key]?.ToJsonString() == kv.Value?.ToJsonString());
    }

    /// <summary>
    /// The champion's mean AUC over tonight's backtest cutoffs, by its recipe: BG/NBD's row, tonight's row of the same
    /// trainer when the settings match, else its trainer backtested again with its recorded settings. Null when the
    /// champion's trainer is unknown (then it is not a usable champion).
    /// </summary>
    private static async Task<double?> RecipeAucAsync(
        ModelRecord champion, BacktestReport report, ChurnBacktest backtest, ChurnCalendar calendar, ChurnOptions options, CancellationToken cancellationToken)
    {
        if (champion.IsBaseline)
        {
            return report.MeanAuc(ChurnBacktest.BgNbd);
        }

        if (!ChurnModel.Trainers.Contains(champion.Trainer))
        {
            return null;
        }

        if (options.TrainerList().Contains(champion.Trainer) && SameRecipe(champion, ChurnModel.Hyperparameters(champion.Trainer, options)))
        {
            return report.MeanAuc(champion.Trainer);
        }

        var again = await backtest.RunAsync(
            calendar, [champion.Trainer], ChurnModel.OptionsFrom(champion.Hyperparameters, options), false, NullProgressSink.Instance, cancellationToken).ConfigureAwait(false);
        var auc = again.MeanAuc(champion.Trainer);
        return double.IsFinite(auc) ? auc : null;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "Training as of {AsOf}: {BacktestCutoffs} backtest cutoffs, {TrainingCutoffs} training cutoffs")]
        public static partial void Started(ILogger logger, DateOnly asOf, int backtestCutoffs, int trainingCutoffs);

        [LoggerMessage(EventId = 3102, Level = LogLevel.Information, Message = "Training done: model {Version} ({Challenger}), promoted {Promoted}, {TrainRows} training rows in {ElapsedMs} ms")]
        public static partial void Finished(ILogger logger, string version, string challenger, bool promoted, int trainRows, long elapsedMs);

        [LoggerMessage(EventId = 3103, Level = LogLevel.Warning, Message = "No churn model trained: {Reason}")]
        public static partial void NotTrained(ILogger logger, string reason);
    }
}

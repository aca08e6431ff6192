using Crm.Pipeline.Features;
using Crm.Pipeline.Jobs;
using Npgsql;

namespace Crm.Pipeline.Churn;

/// <summary>Metrics of one model (or baseline) at one backtest cutoff.</summary>
/// <param name="Cutoff">The test cutoff.</param>
/// <param name="Model">fasttree | lightgbm | logistic | bgnbd | bgnbd_p_alive | recency.</param>
/// <param name="TrainRows">Rows the model was trained on (0 for baselines).</param>
/// <param name="Metrics">Metrics on the customers active at the cutoff (a trained model's calibrated probabilities).</param>
/// <param name="Uncalibrated">A trained model's metrics before its calibration (null for baselines).</param>
/// <param name="Calibration">A trained model's calibration choice: applied or not, and the held-out figures behind it (null for baselines).</param>
public sealed record CutoffResult(DateOnly Cutoff, string Model, int TrainRows, ChurnMetrics Metrics, ChurnMetrics? Uncalibrated = null, CalibrationChoice? Calibration = null);

/// <summary>The outcome of a rolling time-based backtest.</summary>
/// <param name="Results">One row per cutoff and model, oldest cutoff first.</param>
/// <param name="Features">Features used (those with values in the training data).</param>
public sealed record BacktestReport(IReadOnlyList<CutoffResult> Results, IReadOnlyList<string> Features)
{
    /// <summary>The result of <paramref name="model"/> at the latest cutoff, or null.</summary>
    public CutoffResult? Latest(string model) => Results.Where(r => r.Model == model).MaxBy(r => r.Cutoff);

    /// <summary>The mean ROC-AUC of <paramref name="model"/> over the cutoffs it was evaluated at (NaN when none).</summary>
    public double MeanAuc(string model)
    {
        var aucs = Results.Where(r => r.Model == model).Select(r => r.Metrics.RocAuc).ToList();
        return aucs.Count == 0 ? double.NaN : aucs.Average();
    }

    /// <summary>The models of the report in their order of first appearance.</summary>
    public IReadOnlyList<string> Models() => Results.Select(r => r.Model).Distinct().ToList();
}

/// <summary>
/// Rolling-origin backtest: for each test cutoff, models are trained on earlier cutoffs whose label
/// windows closed by the test cutoff, and scored on the customers active at the test cutoff. Never a
/// random split across time. Beside the models: BG/NBD probability-alive and plain recency baselines.
/// </summary>
public sealed class ChurnBacktest
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly ChurnOptions _options;
    private readonly int _sampleSlots;
    private readonly Dictionary<DateOnly, ChurnData> _cache = [];

    /// <summary>The BG/NBD baseline's name: P(no purchase in the horizon). It competes for the champion's place.</summary>
    public const string BgNbd = "bgnbd";

    /// <summary>Creates a backtest over the warehouse's features of every customer.</summary>
    public ChurnBacktest(NpgsqlDataSource dataSource, ChurnOptions options)
        : this(dataSource, options, FeatureSample.All)
    {
    }

    /// <summary>
    /// Creates a backtest over the warehouse's features of the customers in the hash sample of
    /// <paramref name="sampleSlots"/> (<see cref="ChurnCalendar.PastSampleSlots"/>): the past cutoffs hold only
    /// those, and a cutoff built for everyone (yesterday's scoring cutoff) is read for the same customers.
    /// </summary>
    public ChurnBacktest(NpgsqlDataSource dataSource, ChurnOptions options, int sampleSlots)
    {
        _dataSource = dataSource;
        _options = options;
        _sampleSlots = sampleSlots;
    }

    /// <summary>The labelled data of the active customers at the given cutoffs (cached per cutoff).</summary>
    public async Task<ChurnData> LabelledAsync(IReadOnlyList<DateOnly> cutoffs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cutoffs);
        var parts = new List<ChurnData>();
        foreach (var c in cutoffs)
        {
            if (!_cache.TryGetValue(c, out var data))
            {
                data = await ChurnData.LoadAsync(_dataSource, [c], _options.HorizonDays, _options.ActiveWindowDays, _sampleSlots, cancellationToken).ConfigureAwait(false);
                _cache[c] = data;
            }

            parts.Add(data);
        }

        return new ChurnData
        {
            CustomerIds = [.. parts.SelectMany(p => p.CustomerIds)],
            Cutoffs = [.. parts.SelectMany(p => p.Cutoffs)],
            Features = [.. parts.SelectMany(p => p.Features)],
            Labels = [.. parts.SelectMany(p => p.Labels)],
        };
    }

    /// <summary>Runs the backtest over the calendar's test cutoffs: every trainer of <see cref="ChurnOptions.Trainers"/> and the baselines.</summary>
    public Task<BacktestReport> RunAsync(ChurnCalendar calendar, IProgressSink progress, CancellationToken cancellationToken) =>
        RunAsync(calendar, _options.TrainerList(), _options, true, progress, cancellationToken);

    /// <summary>
    /// Runs the backtest of <paramref name="trainers"/> trained with <paramref name="trainerOptions"/> (a recorded
    /// model's settings, to backtest its recipe again), with the baselines when <paramref name="baselines"/>.
    /// </summary>
    public async Task<BacktestReport> RunAsync(
        ChurnCalendar calendar, IReadOnlyList<string> trainers, ChurnOptions trainerOptions, bool baselines, IProgressSink progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        ArgumentNullException.ThrowIfNull(trainers);
        ArgumentNullException.ThrowIfNull(progress);
        var results = new List<CutoffResult>();
        IReadOnlyList<string> features = [];
        var step = 0;
        foreach (var cutoff in calendar.BacktestCutoffs)
        {
            cancellationToken.ThrowIfCancellationRequested();
            progress.Report((double)step++ / calendar.BacktestCutoffs.Count, $"backtest cutoff {cutoff:yyyy-MM-dd}");
            var train = await LabelledAsync(calendar.FoldTrainingCutoffs(cutoff, _options), cancellationToken).ConfigureAwait(false);
            var test = await LabelledAsync([cutoff], cancellationToken).ConfigureAwait(false);
            if (test.Count == 0 || train.Labels.Distinct().Count() < 2 || test.Labels.Distinct().Count() < 2)
            {
                continue;
            }

            features = Present(train);
            foreach (var kind in trainers)
            {
                results.Add(Evaluate(cutoff, kind, train, test, features, trainerOptions));
            }

            if (baselines)
            {
                results.AddRange(Baselines(cutoff, test));
            }
        }

        return new BacktestReport(results, features);
    }

    /// <summary>
    /// Single-cutoff evaluation for data too short for a rolling backtest (CDNOW: 39 weeks of calibration,
    /// 39 of holdout): features strictly before <paramref name="cutoff"/>, labels from the horizon after it,
    /// customers split into <paramref name="folds"/> folds by id; every customer is scored by a model that
    /// never saw them. Time is not split here, so treat it as a check of the features, not of drift.
    /// </summary>
    public async Task<IReadOnlyList<CutoffResult>> CrossValidateAsync(DateOnly cutoff, int folds, CancellationToken cancellationToken)
    {
        var data = await LabelledAsync([cutoff], cancellationToken).ConfigureAwait(false);
        var features = Present(data);
        var results = new List<CutoffResult>();
        foreach (var kind in _options.TrainerList())
        {
            var predictions = new double[data.Count];
            var raw = new double[data.Count];
            for (var k = 0; k < folds; k++)
            {
                var fold = k;
                var model = ChurnModel.TrainCalibrated(data.Where(i => data.CustomerIds[i] % folds != fold), kind, features, _options);
                var testIndexes = Enumerable.Range(0, data.Count).Where(i => data.CustomerIds[i] % folds == fold).ToArray();
                var test = data.Where(i => data.CustomerIds[i] % folds == fold);
                var p = model.Predict(test);
                var u = model.PredictUncalibrated(test);
                for (var i = 0; i < testIndexes.Length; i++)
                {
                    predictions[testIndexes[i]] = p[i];
                    raw[testIndexes[i]] = u[i];
                }
            }

            results.Add(new CutoffResult(cutoff, kind, data.Count * (folds - 1) / folds,
                ChurnMetrics.Compute(data.Labels, predictions), ChurnMetrics.Compute(data.Labels, raw)));
        }

        results.AddRange(Baselines(cutoff, data));
        return results;
    }

    /// <summary>Trains <paramref name="kind"/> (calibrated) on <paramref name="train"/> and measures it on <paramref name="test"/>, before and after calibration.</summary>
    public static CutoffResult Evaluate(DateOnly cutoff, string kind, ChurnData train, ChurnData test, IReadOnlyList<string> features, ChurnOptions options)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        var model = ChurnModel.TrainCalibrated(train, kind, features, options);
        return new CutoffResult(cutoff, kind, train.Count,
            ChurnMetrics.Compute(test.Labels, model.Predict(test)), ChurnMetrics.Compute(test.Labels, model.PredictUncalibrated(test)), model.CalibrationChoice);
    }

    /// <summary>BG/NBD's P(no purchase in the horizon) of every row (0.5 where it could not be fitted): the baseline's churn probability.</summary>
    public static double[] BgNbdScores(ChurnData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var pNone = IndexOf(FeatureColumns.ProbabilityNoPurchase);
        return data.Features.Select(f => float.IsNaN(f[pNone]) ? 0.5 : (double)f[pNone]).ToArray();
    }

    /// <summary>
    /// Baselines on <paramref name="test"/>: BG/NBD P(no purchase in the horizon) ("bgnbd"), BG/NBD 1 − p-alive
    /// ("bgnbd_p_alive"; weak for one-time buyers, whom BG/NBD deems alive) and plain recency.
    /// </summary>
    public static IEnumerable<CutoffResult> Baselines(DateOnly cutoff, ChurnData test)
    {
        ArgumentNullException.ThrowIfNull(test);
        var pAlive = IndexOf(FeatureColumns.ProbabilityAlive);
        yield return new CutoffResult(cutoff, BgNbd, 0, ChurnMetrics.Compute(test.Labels, BgNbdScores(test)));
        var recency = IndexOf("recency_days");
        yield return new CutoffResult(cutoff, "bgnbd_p_alive", 0,
            ChurnMetrics.Compute(test.Labels, test.Features.Select(f => float.IsNaN(f[pAlive]) ? 0.5 : 1 - (double)f[pAlive]).ToArray()));
        yield return new CutoffResult(cutoff, "recency", 0,
            ChurnMetrics.Compute(test.Labels, test.Features.Select(f => (double)f[recency]).ToArray(), probabilities: false));
    }

    /// <summary>Feature names with at least one value in <paramref name="data"/>.</summary>
    public static IReadOnlyList<string> Present(ChurnData data) =>
        data?.PresentFeatures().Select(i => FeatureColumns.All[i]).ToList() ?? throw new ArgumentNullException(nameof(data));

    private static int IndexOf(string name)
    {
        for (var i = 0; i < FeatureColumns.All.Count; i++)
        {
            if (FeatureColumns.All[i] == name)
            {
                return i;
            }
        }

        return -1;
    }
}

using System.IO.Compression;
using System.Security.Cryptography;
using Crm.Pipeline.Features;
using Microsoft.ML;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;
using Microsoft.ML.Transforms;

namespace Crm.Pipeline.Churn;

/// <summary>A feature's contribution to one customer's churn score.</summary>
/// <param name="Feature">Feature column name.</param>
/// <param name="Value">The customer's value (null when missing).</param>
/// <param name="Contribution">Contribution to the model's score (log-odds scale for both trainers).</param>
/// <param name="Direction">"raises" or "lowers" the churn risk.</param>
public sealed record ChurnDriver(string Feature, double? Value, double Contribution, string Direction)
{
    /// <summary>
    /// The customer's values of the other features the driver's sentence needs (the usual gap beside the days since
    /// the last order, see <see cref="DriverContext"/>); null when none.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, double>? Context { get; init; }
}

/// <summary>
/// A trained churn classifier: an ML.NET pipeline (mean imputation, standardisation, then FastTree, LightGBM
/// or L-BFGS logistic regression) trained with balanced class weights, whose probabilities are mapped back
/// to the real class balance (the weights multiply the odds by n_neg/n_pos; <see cref="OddsCorrection"/>
/// undoes that) and then through a <see cref="PlattCalibration"/> fitted on customers held out of training.
/// Serialised as ML.NET's model zip; the correction, calibration and feature list live in the registry record.
/// </summary>
public sealed class ChurnModel
{
    /// <summary>FastTree gradient-boosted trees (the champion kind).</summary>
    public const string FastTree = "fasttree";

    /// <summary>L-BFGS logistic regression (the simple model beside it).</summary>
    public const string Logistic = "logistic";

    /// <summary>LightGBM gradient-boosted trees.</summary>
    public const string LightGbm = "lightgbm";

    /// <summary>The trainers that can compete, in the order ties are broken.</summary>
    public static readonly IReadOnlyList<string> Trainers = [FastTree, LightGbm, Logistic];

    private readonly MLContext _ml;
    private readonly ITransformer _model;
    private readonly int[] _featureIndexes;

    private ChurnModel(MLContext ml, ITransformer model, string trainer, IReadOnlyList<string> features, double oddsCorrection, byte[] artifact, PlattCalibration calibration)
    {
        _ml = ml;
        _model = model;
        Trainer = trainer;
        FeatureNames = features;
        OddsCorrection = oddsCorrection;
        Calibration = calibration;
        Artifact = artifact;
        Sha256 = Convert.ToHexStringLower(SHA256.HashData(artifact));
        _featureIndexes = features.Select(f => IndexOf(FeatureColumns.All, f)).ToArray();
    }

    /// <summary>fasttree | lightgbm | logistic.</summary>
    public string Trainer { get; }

    /// <summary>Feature columns the model reads, in order.</summary>
    public IReadOnlyList<string> FeatureNames { get; }

    /// <summary>Multiplier of the predicted odds that restores the real class balance.</summary>
    public double OddsCorrection { get; }

    /// <summary>The Platt calibration applied after the odds correction (<see cref="PlattCalibration.Identity"/> when none was fitted).</summary>
    public PlattCalibration Calibration { get; }

    /// <summary>Whether the calibration was kept and the held-out figures behind it (null when none was fitted, or for a loaded model).</summary>
    public CalibrationChoice? CalibrationChoice { get; private init; }

    /// <summary>The ML.NET model zip.</summary>
    public byte[] Artifact { get; }

    /// <summary>SHA-256 of <see cref="Artifact"/>, lower-case hex.</summary>
    public string Sha256 { get; }

    /// <summary>The hyperparameters that, with the seed, features and training cutoffs, reproduce the model.</summary>
    public static Dictionary<string, object> Hyperparameters(string trainer, ChurnOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return trainer is FastTree or LightGbm
            ? new() { ["seed"] = options.Seed, ["trees"] = options.Trees, ["leaves"] = options.Leaves, ["min_leaf"] = options.MinimumExamplesPerLeaf, ["learning_rate"] = options.LearningRate, ["class_weights"] = "balanced", ["max_training_rows"] = options.MaxTrainingRows, ["calibration"] = CalibrationMethod }
            : new() { ["seed"] = options.Seed, ["l2"] = 1.0, ["class_weights"] = "balanced", ["max_training_rows"] = options.MaxTrainingRows, ["calibration"] = CalibrationMethod };
    }

    /// <summary>How models are calibrated, as recorded in their hyperparameters.</summary>
    public const string CalibrationMethod = "platt on a held-out quarter of the customers, kept when it lowers the ECE at the latest training cutoff";

    /// <summary>
    /// True for the customers held out of training to fit the calibration on: a quarter of them, by a
    /// multiplicative hash of the id (not id mod k, which the customer folds of a cross-validation use).
    /// </summary>
    public static bool IsCalibrationFold(long customerId) => unchecked((ulong)customerId * 0x9E3779B97F4A7C15UL) >> 62 == 0;

    /// <summary>
    /// Trains on the customers outside the calibration fold (<see cref="IsCalibrationFold"/>) and fits Platt scaling
    /// on the fold, applied only when it lowers the held-out calibration error (<see cref="PlattCalibration.Choose"/>).
    /// When either part lacks a class (tiny data), trains on everything, uncalibrated.
    /// </summary>
    /// <exception cref="InvalidOperationException">The data has a single class.</exception>
    public static ChurnModel TrainCalibrated(ChurnData data, string trainer, IReadOnlyList<string> features, ChurnOptions options)
    {
        ArgumentNullException.ThrowIfNull(data);
        var fold = data.Where(i => IsCalibrationFold(data.CustomerIds[i]));
        var rest = data.Where(i => !IsCalibrationFold(data.CustomerIds[i]));
        if (fold.Labels.Distinct().Count() < 2 || rest.Labels.Distinct().Count() < 2)
        {
            return Train(data, trainer, features, options);
        }

        var model = Train(rest, trainer, features, options);
        var choice = PlattCalibration.Choose(model.PredictUncalibrated(fold), fold.Labels, fold.Cutoffs);
        return new ChurnModel(model._ml, model._model, trainer, features, model.OddsCorrection, model.Artifact, choice.Calibration) { CalibrationChoice = choice };
    }

    /// <summary>
    /// <paramref name="options"/> with the trainer settings of a recorded model's <paramref name="hyperparameters"/>
    /// (trees, leaves, minimum leaf, learning rate, seed, row cap), so its recipe can be backtested again.
    /// </summary>
    public static ChurnOptions OptionsFrom(System.Text.Json.Nodes.JsonObject? hyperparameters, ChurnOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var copy = options.Copy();
        if (hyperparameters is null)
        {
            return copy;
        }

        int? Int(string key) => hyperparameters[key] is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<int>(out var i) ? i : null;
        double? Double(string key) => hyperparameters[key] is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<double>(out var d) ? d : null;
        copy.Trees = Int("trees") ?? copy.Trees;
        copy.Leaves = Int("leaves") ?? copy.Leaves;
        copy.MinimumExamplesPerLeaf = Int("min_leaf") ?? copy.MinimumExamplesPerLeaf;
        copy.LearningRate = Double("learning_rate") ?? copy.LearningRate;
        copy.Seed = Int("seed") ?? copy.Seed;
        copy.MaxTrainingRows = Int("max_training_rows") ?? copy.MaxTrainingRows;
        return copy;
    }

    /// <summary>Trains a model on labelled <paramref name="data"/> (sampled down to <see cref="ChurnOptions.MaxTrainingRows"/>) using <paramref name="features"/>.</summary>
    /// <exception cref="InvalidOperationException">The data has a single class.</exception>
    public static ChurnModel Train(ChurnData data, string trainer, IReadOnlyList<string> features, ChurnOptions options)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaxTrainingRows > 0 && data.Count > options.MaxTrainingRows)
        {
            var step = (double)data.Count / options.MaxTrainingRows;
            var keep = new bool[data.Count];
            for (var k = 0; k < options.MaxTrainingRows; k++)
            {
                keep[(int)(k * step)] = true;
            }

            data = data.Where(i => keep[i]);
        }

        var positives = data.Labels.Count(l => l);
        var negatives = data.Count - positives;
        if (positives == 0 || negatives == 0)
        {
            throw new InvalidOperationException($"Training needs both churned and retained customers; got {positives} churned and {negatives} retained.");
        }

        var ml = new MLContext(options.Seed);
        var wPos = data.Count / (2.0 * positives);
        var wNeg = data.Count / (2.0 * negatives);
        var indexes = features.Select(f => IndexOf(FeatureColumns.All, f)).ToArray();
        var view = ToDataView(ml, data, indexes, i => (float)(data.Labels[i] ? wPos : wNeg));
        IEstimator<ITransformer> learner = trainer switch
        {
            // One thread for all three trainers: with several, the order in which partial sums are added depends on
            // the scheduling, and the same data and seed must give the same model (and so the same champion) every run.
            FastTree => ml.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
            {
                NumberOfThreads = 1,
                NumberOfTrees = options.Trees,
                NumberOfLeaves = options.Leaves,
                MinimumExampleCountPerLeaf = options.MinimumExamplesPerLeaf,
                LearningRate = options.LearningRate,
                ExampleWeightColumnName = "Weight",
                Seed = options.Seed,
            }),
            Logistic => ml.BinaryClassification.Trainers.LbfgsLogisticRegression(new LbfgsLogisticRegressionBinaryTrainer.Options
            {
                ExampleWeightColumnName = "Weight",
                L2Regularization = 1f,
                NumberOfThreads = 1,
            }),
            LightGbm => ml.BinaryClassification.Trainers.LightGbm(new LightGbmBinaryTrainer.Options
            {
                NumberOfIterations = options.Trees,
                NumberOfLeaves = options.Leaves,
                MinimumExampleCountPerLeaf = options.MinimumExamplesPerLeaf,
                LearningRate = options.LearningRate,
                ExampleWeightColumnName = "Weight",
                Seed = options.Seed,
                NumberOfThreads = 1,
                Silent = true,
            }),
            _ => throw new ArgumentException($"Unknown trainer '{trainer}' (use {string.Join(", ", Trainers)}).", nameof(trainer)),
        };
        var pipeline = ml.Transforms.ReplaceMissingValues("Features", replacementMode: MissingValueReplacingEstimator.ReplacementMode.Mean)
            .Append(ml.Transforms.NormalizeMeanVariance("Features"))
            // L-BFGS passes over the data once per iteration; without a cache every pass re-runs the
            // enumerable and both transforms row by row (most of the training time). Same rows, same order.
            .AppendCacheCheckpoint(ml)
            .Append(learner);
        var model = pipeline.Fit(view);
        using var stream = new MemoryStream();
        ml.Model.Save(model, view.Schema, stream);
        return new ChurnModel(ml, model, trainer, features, (double)positives / negatives, Normalise(stream.ToArray()), PlattCalibration.Identity);
    }

    /// <summary>Loads a model from its artifact and registry record.</summary>
    /// <exception cref="InvalidDataException">The artifact does not match its SHA-256 or is not a readable model.</exception>
    public static ChurnModel Load(
        byte[] artifact, string? expectedSha256, string trainer, IReadOnlyList<string> features, double oddsCorrection, int seed,
        PlattCalibration? calibration = null)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        var sha = Convert.ToHexStringLower(SHA256.HashData(artifact));
        if (expectedSha256 is not null && !string.Equals(sha, expectedSha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException($"Model artifact SHA-256 is {sha}, the registry says {expectedSha256}: the artifact is corrupt.");
        }

        var ml = new MLContext(seed);
        ITransformer model;
        try
        {
            using var stream = new MemoryStream(artifact);
            model = ml.Model.Load(stream, out _);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException("Model artifact is not a readable ML.NET model: " + e.Message, e);
        }

        return new ChurnModel(ml, model, trainer, features, oddsCorrection, artifact, calibration ?? PlattCalibration.Identity);
    }

    /// <summary>Calibrated churn probabilities of every row.</summary>
    public double[] Predict(ChurnData data)
    {
        var p = PredictUncalibrated(data);
        for (var i = 0; i < p.Length; i++)
        {
            p[i] = Calibration.Apply(p[i]);
        }

        return p;
    }

    /// <summary>Churn probabilities of every row on the real class balance, before the calibration.</summary>
    public double[] PredictUncalibrated(ChurnData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var scored = _model.Transform(ToDataView(_ml, data, _featureIndexes, _ => 1f));
        var probabilities = scored.GetColumn<float>("Probability").ToArray();
        var result = new double[probabilities.Length];
        for (var i = 0; i < result.Length; i++)
        {
            var p = Math.Clamp((double)probabilities[i], 1e-7, 1 - 1e-7);
            var odds = p / (1 - p) * OddsCorrection;
            result[i] = odds / (1 + odds);
        }

        return result;
    }

    /// <summary>
    /// The <paramref name="top"/> features contributing most (by absolute value) to each row's score, with
    /// direction, from ML.NET's feature contribution calculation on the trained predictor.
    /// </summary>
    public IReadOnlyList<ChurnDriver>[] Explain(ChurnData data, int top)
    {
        ArgumentNullException.ThrowIfNull(data);
        var view = ToDataView(_ml, data, _featureIndexes, _ => 1f);
        var transformed = _model.Transform(view);
        var predictor = ((TransformerChain<ITransformer>)_model).LastTransformer;
        ITransformer fcc = predictor switch
        {
            ISingleFeaturePredictionTransformer<CalibratedModelParametersBase<FastTreeBinaryModelParameters, PlattCalibrator>> t =>
                _ml.Transforms.CalculateFeatureContribution(t, top, top, normalize: false).Fit(transformed),
            ISingleFeaturePredictionTransformer<CalibratedModelParametersBase<LinearBinaryModelParameters, PlattCalibrator>> t =>
                _ml.Transforms.CalculateFeatureContribution(t, top, top, normalize: false).Fit(transformed),
            ISingleFeaturePredictionTransformer<CalibratedModelParametersBase<LightGbmBinaryModelParameters, PlattCalibrator>> t =>
                _ml.Transforms.CalculateFeatureContribution(t, top, top, normalize: false).Fit(transformed),
            ISingleFeaturePredictionTransformer<ICalculateFeatureContribution> t =>
                _ml.Transforms.CalculateFeatureContribution(t, top, top, normalize: false).Fit(transformed),
            _ => throw new InvalidOperationException($"No feature contribution calculation for predictor {predictor.GetType()}."),
        };
        var contributions = fcc.Transform(transformed).GetColumn<float[]>("FeatureContributions").ToArray();
        var result = new IReadOnlyList<ChurnDriver>[contributions.Length];
        for (var i = 0; i < contributions.Length; i++)
        {
            var row = contributions[i];
            result[i] = Enumerable.Range(0, row.Length)
                .Where(j => row[j] != 0)
                .OrderByDescending(j => Math.Abs(row[j])).ThenBy(j => j)
                .Take(top)
                .Select(j =>
                {
                    var v = data.Features[i][_featureIndexes[j]];
                    return new ChurnDriver(FeatureNames[j], float.IsNaN(v) ? null : v, Math.Round(row[j], 6), row[j] > 0 ? "raises" : "lowers");
                })
                .ToList();
        }

        return result;
    }

    /// <summary>
    /// Each feature's share of the model's total absolute contribution over <paramref name="data"/> (the same
    /// contributions as <see cref="Explain"/>), largest first; the shares sum to 1.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, double>> Importance(ChurnData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var totals = new double[FeatureNames.Count];
        foreach (var row in Explain(data, FeatureNames.Count))
        {
            foreach (var d in row)
            {
                totals[IndexOf(FeatureNames, d.Feature)] += Math.Abs(d.Contribution);
            }
        }

        var sum = totals.Sum();
        return Enumerable.Range(0, totals.Length)
            .Where(j => totals[j] > 0)
            .OrderByDescending(j => totals[j]).ThenBy(j => j)
            .Select(j => KeyValuePair.Create(FeatureNames[j], Math.Round(totals[j] / sum, 4)))
            .ToList();
    }

    /// <summary>
    /// Rewrites ML.NET's model zip with its entries in name order and a fixed timestamp, so the same
    /// data and seed give byte-identical artifacts (and the same SHA-256) on every retrain.
    /// </summary>
    private static byte[] Normalise(byte[] zip)
    {
        using var output = new MemoryStream();
        using (var source = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read))
        using (var target = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in source.Entries.OrderBy(e => e.FullName, StringComparer.Ordinal))
            {
                var copy = target.CreateEntry(entry.FullName, CompressionLevel.Optimal);
                copy.LastWriteTime = new DateTimeOffset(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);
                using var from = entry.Open();
                using var to = copy.Open();
                from.CopyTo(to);
            }
        }

        return output.ToArray();
    }

    private static IDataView ToDataView(MLContext ml, ChurnData data, int[] indexes, Func<int, float> weight)
    {
        var rows = new ChurnExample[data.Count];
        for (var i = 0; i < rows.Length; i++)
        {
            var source = data.Features[i];
            var features = new float[indexes.Length];
            for (var j = 0; j < indexes.Length; j++)
            {
                features[j] = source[indexes[j]];
            }

            rows[i] = new ChurnExample { Features = features, Label = data.Labels.Length > 0 && data.Labels[i], Weight = weight(i) };
        }

        var schema = SchemaDefinition.Create(typeof(ChurnExample));
        schema[nameof(ChurnExample.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, indexes.Length);
        return ml.Data.LoadFromEnumerable(rows, schema);
    }

    private static int IndexOf(IReadOnlyList<string> list, string name)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] == name)
            {
                return i;
            }
        }

        throw new InvalidOperationException($"Unknown feature '{name}'.");
    }

    private sealed class ChurnExample
    {
        public float[] Features { get; set; } = [];

        public bool Label { get; set; }

        public float Weight { get; set; }
    }
}

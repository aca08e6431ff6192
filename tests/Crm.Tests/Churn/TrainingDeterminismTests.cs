using Crm.Pipeline.Churn;
using Crm.Pipeline.Features;

namespace Crm.Tests.Churn;

/// <summary>
/// The same data and seed give the same model from every trainer, so a rerun of the demo or of a night on unchanged
/// data keeps the same champion and figures (#22).
/// </summary>
public sealed class TrainingDeterminismTests
{
    [Theory]
    [InlineData(ChurnModel.FastTree)]
    [InlineData(ChurnModel.LightGbm)]
    [InlineData(ChurnModel.Logistic)]
    public void TrainCalibrated_TwiceOnTheSameData_GivesTheSameArtifactCalibrationAndScores(string trainer)
    {
        var data = Data(4000, seed: 5);
        var features = FeatureColumns.All.Take(12).ToList();
        var options = new ChurnOptions { Trees = 30 };

        var first = ChurnModel.TrainCalibrated(data, trainer, features, options);
        var second = ChurnModel.TrainCalibrated(data, trainer, features, options);

        Assert.Equal(first.Sha256, second.Sha256);
        Assert.Equal(first.Calibration, second.Calibration);
        Assert.Equal(first.Predict(data), second.Predict(data));
        // Not a constant model: the scores carry the planted signal.
        Assert.True(ChurnMetrics.Compute(data.Labels, first.Predict(data)).RocAuc > 0.6);
    }

    /// <summary>Rows of two cutoffs whose label depends on the first three features, with noise.</summary>
    private static ChurnData Data(int n, int seed)
    {
        var random = new Random(seed);
        var rows = new float[n][];
        var labels = new bool[n];
        for (var i = 0; i < n; i++)
        {
            var row = new float[FeatureColumns.All.Count];
            for (var j = 0; j < row.Length; j++)
            {
                row[j] = (float)(random.NextDouble() * 10);
            }

            var z = 0.4 * row[0] - 0.3 * row[1] + 0.2 * row[2] - 1.5 + random.NextDouble() * 2 - 1;
            labels[i] = random.NextDouble() < 1 / (1 + Math.Exp(-z));
            rows[i] = row;
        }

        return new ChurnData
        {
            CustomerIds = Enumerable.Range(1, n).Select(i => (long)i).ToArray(),
            Cutoffs = Enumerable.Range(0, n).Select(i => new DateOnly(2024, 5 + i % 2, 1)).ToArray(),
            Features = rows,
            Labels = labels,
        };
    }
}

using Crm.IntegrationTests.Infrastructure;
using Crm.Pipeline.Churn;
using Crm.Pipeline.Features;
using Crm.Pipeline.Jobs;

namespace Crm.IntegrationTests.Churn;

/// <summary>The backtest table's figures at one cutoff, worked again in the test from the labels and the scores (#22).</summary>
[Collection(PostgresCollection.Name)]
public sealed class BacktestTableTests(PostgresCluster cluster)
{
    [Fact]
    public async Task BacktestFigures_AtOneCutoff_MatchTheirDefinitionsWorkedFromLabelsAndScores()
    {
        await using var ds = await cluster.CreateMigratedDatabaseAsync("backtesttable");
        await SyntheticOrders.InsertAsync(ds, ChurnWorld.Generate(400, 23, spendSignal: true));
        var options = ChurnWorld.Options();
        options.Trainers = ChurnModel.FastTree;
        var calendar = await ChurnWorld.PrepareAsync(ds, options);
        var backtest = new ChurnBacktest(ds, options);
        var report = await backtest.RunAsync(calendar, NullProgressSink.Instance, CancellationToken.None);
        var cutoff = report.Results.Min(r => r.Cutoff);
        var train = await backtest.LabelledAsync(calendar.FoldTrainingCutoffs(cutoff, options), CancellationToken.None);
        var test = await backtest.LabelledAsync([cutoff], CancellationToken.None);
        Assert.True(train.Cutoffs.All(c => c.AddDays(options.HorizonDays) <= cutoff), "a training label window reaches past the test cutoff");

        // The trained model's scores: the same recipe trained again (training is deterministic), calibrated and raw.
        var model = ChurnModel.TrainCalibrated(train, ChurnModel.FastTree, ChurnBacktest.Present(train), options);
        var row = report.Results.Single(r => r.Cutoff == cutoff && r.Model == ChurnModel.FastTree);
        AssertFigures(test.Labels, model.Predict(test), row.Metrics);
        AssertFigures(test.Labels, model.PredictUncalibrated(test), row.Uncalibrated!);
        Assert.Equal(train.Count, row.TrainRows);

        // BG/NBD's scores: each customer's P(no purchase over the horizon), read from the features table.
        var pNone = await ds.ScalarAsync<string>(
            $"select string_agg(coalesce(bgnbd_p_no_purchase, 0.5)::real::text, ',' order by customer_id) from ml.customer_features where cutoff = '{cutoff:yyyy-MM-dd}'");
        var byCustomer = new Dictionary<long, double>();
        var ids = await ds.ScalarAsync<string>($"select string_agg(customer_id::text, ',' order by customer_id) from ml.customer_features where cutoff = '{cutoff:yyyy-MM-dd}'");
        var idList = ids.Split(',').Select(long.Parse).ToArray();
        var pList = pNone.Split(',').Select(s => (double)float.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        for (var i = 0; i < idList.Length; i++)
        {
            byCustomer[idList[i]] = pList[i];
        }

        AssertFigures(test.Labels, test.CustomerIds.Select(id => byCustomer[id]).ToArray(),
            report.Results.Single(r => r.Cutoff == cutoff && r.Model == ChurnBacktest.BgNbd).Metrics);
    }

    private static void AssertFigures(bool[] y, double[] p, ChurnMetrics m)
    {
        var n = y.Length;
        var positives = y.Count(l => l);
        Assert.Equal(n, m.Count);
        Assert.Equal((double)positives / n, m.ChurnRate, 12);

        // ROC-AUC: the share of (churned, retained) pairs the score orders right, ties counting half.
        double right = 0;
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                if (y[i] && !y[j])
                {
                    right += p[i] > p[j] ? 1 : p[i] == p[j] ? 0.5 : 0;
                }
            }
        }

        Assert.Equal(right / ((double)positives * (n - positives)), m.RocAuc, 10);
        Assert.Equal(p.Select((q, i) => Math.Pow((y[i] ? 1 : 0) - q, 2)).Average(), m.Brier, 10);
        Assert.Equal(p.Select((q, i) => -Math.Log(Math.Clamp(y[i] ? q : 1 - q, 1e-15, 1))).Average(), m.LogLoss, 8);

        // The riskiest tenth (ties in row order): lift and capture.
        var ranked = Enumerable.Range(0, n).OrderByDescending(i => p[i]).ThenBy(i => i).ToArray();
        var top = (int)Math.Ceiling(n / 10.0);
        var hits = ranked.Take(top).Count(i => y[i]);
        Assert.Equal((double)hits / top / ((double)positives / n), m.LiftTopDecile, 10);
        Assert.Equal((double)hits / positives, m.CaptureTopDecile, 10);

        // Reliability: ten bins of width 0.1, and the expected calibration error over them.
        double ece = 0;
        var bins = 0;
        for (var b = 0; b < 10; b++)
        {
            var members = Enumerable.Range(0, n).Where(i => Math.Min(9, (int)(p[i] * 10)) == b).ToArray();
            if (members.Length == 0)
            {
                continue;
            }

            var bin = m.Calibration[bins++];
            Assert.Equal(members.Length, bin.Count);
            Assert.Equal(members.Average(i => p[i]), bin.MeanPredicted, 10);
            Assert.Equal(members.Average(i => y[i] ? 1.0 : 0.0), bin.ObservedRate, 10);
            ece += (double)members.Length / n * Math.Abs(bin.MeanPredicted - bin.ObservedRate);
        }

        Assert.Equal(bins, m.Calibration.Count);
        Assert.Equal(ece, m.ExpectedCalibrationError, 10);
    }
}

using Crm.IntegrationTests.Infrastructure;
using Crm.Pipeline.Churn;
using Crm.Pipeline.Jobs;

namespace Crm.IntegrationTests.Churn;

/// <summary>Every candidate competes for the champion's place, BG/NBD among them (#22).</summary>
[Collection(PostgresCollection.Name)]
public sealed class ChampionSelectionTests(PostgresCluster cluster)
{
    [Fact]
    public async Task LogisticRegression_BecomesChampion_WhereDropoutIsLinearInSpend()
    {
        await using var ds = await cluster.CreateMigratedDatabaseAsync("selectlogistic");
        await SyntheticOrders.InsertAsync(ds, ChurnWorld.Generate(800, 21, spendSignal: true));
        var options = ChurnWorld.Options();
        options.Trainers = "fasttree,lightgbm,logistic";

        var outcome = await ChurnWorld.TrainAsync(ds, options);

        // The backtest's mean AUC per candidate, worked from its rows: logistic is best and beats BG/NBD by the margin.
        var mean = outcome.Report.Results.GroupBy(r => r.Model).ToDictionary(g => g.Key, g => g.Average(r => r.Metrics.RocAuc));
        Assert.Equal(ChurnModel.Logistic, mean.Where(m => m.Key != "bgnbd_p_alive" && m.Key != "recency").MaxBy(m => m.Value).Key);
        Assert.True(mean[ChurnModel.Logistic] > mean[ChurnBacktest.BgNbd] + options.PromotionMargin, Describe(outcome));
        Assert.True(outcome.Decision.Promote, outcome.Decision.Reason);

        var champion = (await new ModelRegistry(ds).ChampionAsync(CancellationToken.None))!;
        Assert.Equal(ChurnModel.Logistic, champion.Trainer);
        Assert.Equal(outcome.Version, champion.Version);
        Assert.Equal(mean[ChurnModel.Logistic], champion.Auc!.Value, 12);
        // The stage's message and the registry give the same reason.
        Assert.Equal(outcome.Decision.Reason, champion.StatusReason);
        Assert.Contains("logistic has the best mean AUC", champion.StatusReason, StringComparison.Ordinal);
        // Importance of every feature in the record, shares summing to 1.
        var importance = await ds.ScalarAsync<double>(
            $"select sum(value::double precision) from ml.model, jsonb_each_text(metrics->'feature_importance') where version = '{champion.Version}'");
        Assert.Equal(1.0, importance, 2);
    }

    [Fact]
    public async Task BgNbd_IsTheChampion_WhenNoTrainedModelBeatsIt_AndReplacesATrainedChampion()
    {
        await using var ds = await cluster.CreateMigratedDatabaseAsync("selectbgnbd");
        // Purchases as a Poisson process until an exponential dropout, nothing else: BG/NBD's own story.
        await SyntheticOrders.InsertAsync(ds, ChurnWorld.Generate(800, 22));
        var options = ChurnWorld.Options();
        options.Trainers = "fasttree,lightgbm,logistic";
        var registry = new ModelRegistry(ds);

        // Yesterday's champion: a trained logistic model, promoted by an admin (`crm churn promote`).
        var trainer = ChurnWorld.Trainer(ds, options);
        var calendar = await ChurnWorld.PrepareAsync(ds, options);
        var train = await new ChurnBacktest(ds, options).LabelledAsync(calendar.TrainingCutoffs, CancellationToken.None);
        var logistic = ChurnModel.TrainCalibrated(train, ChurnModel.Logistic, ChurnBacktest.Present(train), options);
        var yesterday = await registry.AddAsync(
            logistic, ChurnModel.Hyperparameters(ChurnModel.Logistic, options), calendar.TrainingCutoffs[0], calendar.TrainingCutoffs[^1],
            new { }, 0.5, "challenger", null, CancellationToken.None);
        await registry.PromoteAsync(yesterday.Version, "promoted by admin", CancellationToken.None);

        var outcome = await ChurnWorld.TrainAsync(ds, options);

        var mean = outcome.Report.Results.GroupBy(r => r.Model).ToDictionary(g => g.Key, g => g.Average(r => r.Metrics.RocAuc));
        foreach (var kind in ChurnModel.Trainers)
        {
            Assert.False(mean[kind] > mean[ChurnBacktest.BgNbd] + options.PromotionMargin, Describe(outcome));
        }

        Assert.True(outcome.Decision.Promote, outcome.Decision.Reason);
        var champion = (await registry.ChampionAsync(CancellationToken.None))!;
        Assert.True(champion.IsBaseline);
        Assert.Equal(ChurnBacktest.BgNbd, champion.Trainer);
        Assert.Equal(outcome.Version, champion.Version);
        Assert.Equal(outcome.Decision.Reason, champion.StatusReason);
        Assert.Contains("BG/NBD is the champion", champion.StatusReason, StringComparison.Ordinal);
        Assert.Equal(1, await ds.ScalarAsync<int>("select count(*) from ml.model where status = 'champion'"));
        Assert.Equal("retired", (await registry.FindAsync(yesterday.Version, CancellationToken.None))!.Status);

        // Scoring uses BG/NBD's own P(no purchase) for every customer, and says so in the model version.
        var monitor = new StaticOptions<ChurnOptions>(options);
        var scored = await new ChurnScorer(ds, monitor).ScoreAsync(NullProgressSink.Instance, CancellationToken.None);
        Assert.Equal(champion.Version, scored.ModelVersion);
        Assert.Equal(0, await ds.ScalarAsync<int>(
            """
            select count(*) from ml.churn_score s
            join ml.customer_features f on f.customer_id = s.customer_id and f.cutoff = (select max(cutoff) from ml.customer_features)
            where abs(s.probability - f.bgnbd_p_no_purchase) > 1e-6
            """));
    }

    private static string Describe(TrainingOutcome outcome) =>
        outcome.Decision.Reason + " | " + string.Join("; ", outcome.Report.Results.Select(r => $"{r.Cutoff:yyyy-MM-dd} {r.Model} {r.Metrics.RocAuc:F4}"));
}

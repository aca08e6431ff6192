using Crm.Pipeline.Churn;
using Crm.Pipeline.Features;
using Crm.Pipeline.Jobs;
using Npgsql;

namespace Crm.IntegrationTests.Churn;

/// <summary>
/// A small synthetic shop for churn tests: each customer buys as a Poisson process with its own rate
/// from a random start until a random (exponential) dropout date, so recency and frequency carry real
/// signal about churn, as in the BG/NBD story.
/// </summary>
internal static class ChurnWorld
{
    public static readonly DateOnly AsOf = new(2025, 1, 1);

    public static List<TestLine> Generate(int customers, int seed) => Generate(customers, seed, spendSignal: false);

    /// <summary>
    /// With <paramref name="spendSignal"/>, a customer's dropout also depends on what they spend: big spenders stay
    /// (mean lifetime 40 + 1200·u days for a spend level u in [0, 1]), which BG/NBD cannot see, since it reads only
    /// the purchase times, and which is linear in the order value, so a linear model can learn it.
    /// </summary>
    public static List<TestLine> Generate(int customers, int seed, bool spendSignal)
    {
        var random = new Random(seed);
        var start = SyntheticOrders.Utc(2023, 1, 1);
        var end = SyntheticOrders.Utc(2024, 12, 31, 23);
        var lines = new List<TestLine>();
        for (var c = 0; c < customers; c++)
        {
            var first = start.AddDays(random.NextDouble() * 540);
            var meanGap = 10 + random.NextDouble() * 60;
            var level = spendSignal ? random.NextDouble() : 0;
            var dropout = first.AddDays(-Math.Log(1 - random.NextDouble()) * (spendSignal ? 40 + 1200 * level : 250));
            var ts = first;
            var n = 0;
            while (ts < end && ts < dropout)
            {
                lines.Add(new TestLine($"w{c}", $"w{c}-{n++}", ts, "sku" + random.Next(20), spendSignal
                    ? Math.Round(10 + (decimal)(level * 80 + random.NextDouble() * 10), 2)
                    : Math.Round(10 + (decimal)random.NextDouble() * 90, 2)));
                ts = ts.AddDays(-Math.Log(1 - random.NextDouble()) * meanGap);
            }
        }

        return lines;
    }

    public static ChurnOptions Options() => new()
    {
        AsOf = AsOf,
        HorizonDays = 90,
        BacktestCutoffs = 2,
        TrainingCutoffs = 3,
        Trees = 50,
        Leaves = 8,
        MinimumExamplesPerLeaf = 10,
        // One trainer (the quickest) keeps the tests of the registry small; ChampionSelectionTests let every candidate compete.
        Trainers = ChurnModel.Logistic,
    };

    /// <summary>The features stage's settings that lay out <paramref name="options"/>'s cutoffs, <paramref name="stepDays"/> apart.</summary>
    public static FeaturesOptions Features(ChurnOptions options, int stepDays = 30, int sample = 100_000) => new()
    {
        HorizonDays = options.HorizonDays,
        CutoffStepDays = stepDays,
        BacktestCutoffs = options.BacktestCutoffs,
        TrainingCutoffs = options.TrainingCutoffs,
        FeatureSampleCustomers = sample,
    };

    /// <summary>The features stage's preparer for <paramref name="features"/>, as of <paramref name="options"/>' day.</summary>
    public static FeaturePreparer Preparer(NpgsqlDataSource ds, ChurnOptions options, FeaturesOptions features)
    {
        var monitor = new StaticOptions<FeaturesOptions>(features);
        return new FeaturePreparer(ds, new FeatureBuilder(ds, monitor), monitor, new StaticOptions<AsOfOptions>(new AsOfOptions { AsOf = options.AsOf }));
    }

    /// <summary>Runs the features stage's work for <paramref name="options"/>' cutoffs, then reads the churn calendar as training does.</summary>
    public static async Task<ChurnCalendar> PrepareAsync(NpgsqlDataSource ds, ChurnOptions options, int stepDays = 30, int sample = 100_000)
    {
        await Preparer(ds, options, Features(options, stepDays, sample)).PrepareAsync(false, NullProgressSink.Instance, CancellationToken.None);
        return await Trainer(ds, options, stepDays).CalendarAsync(CancellationToken.None);
    }

    /// <summary>Builds the features, then retrains, as the features and train stages do one after the other.</summary>
    public static async Task<TrainingOutcome> TrainAsync(NpgsqlDataSource ds, ChurnOptions options, int stepDays = 30)
    {
        await PrepareAsync(ds, options, stepDays);
        return await Trainer(ds, options, stepDays).TrainAsync(NullProgressSink.Instance, CancellationToken.None);
    }

    public static ChurnTrainer Trainer(NpgsqlDataSource ds, ChurnOptions options, int stepDays = 30) =>
        new(ds, new StaticOptions<ChurnOptions>(options), new StaticOptions<FeaturesOptions>(Features(options, stepDays)));
}

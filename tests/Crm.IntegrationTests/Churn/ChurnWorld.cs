using Crm.Pipeline.Churn;
using Crm.Pipeline.Features;
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

    public static List<TestLine> Generate(int customers, int seed)
    {
        var random = new Random(seed);
        var start = SyntheticOrders.Utc(2023, 1, 1);
        var end = SyntheticOrders.Utc(2024, 12, 31, 23);
        var lines = new List<TestLine>();
        for (var c = 0; c < customers; c++)
        {
            var first = start.AddDays(random.NextDouble() * 540);
            var meanGap = 10 + random.NextDouble() * 60;
            var dropout = first.AddDays(-Math.Log(1 - random.NextDouble()) * 250);
            var ts = first;
            var n = 0;
            while (ts < end && ts < dropout)
            {
                lines.Add(new TestLine($"w{c}", $"w{c}-{n++}", ts, "sku" + random.Next(20), Math.Round(10 + (decimal)random.NextDouble() * 90, 2)));
                ts = ts.AddDays(-Math.Log(1 - random.NextDouble()) * meanGap);
            }
        }

        return lines;
    }

    public static ChurnOptions Options() => new()
    {
        AsOf = AsOf,
        HorizonDays = 90,
        CutoffStepDays = 30,
        BacktestCutoffs = 2,
        TrainingCutoffs = 3,
        Trees = 50,
        Leaves = 8,
        MinimumExamplesPerLeaf = 10,
    };

    public static ChurnTrainer Trainer(NpgsqlDataSource ds, ChurnOptions options)
    {
        var monitor = new StaticOptions<ChurnOptions>(options);
        return new ChurnTrainer(ds, new FeatureBuilder(ds, monitor), monitor);
    }
}

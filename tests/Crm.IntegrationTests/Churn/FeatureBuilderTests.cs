using Crm.IntegrationTests.Infrastructure;
using Crm.Pipeline.Churn;
using Crm.Pipeline.Features;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Crm.IntegrationTests.Churn;

[Collection(PostgresCollection.Name)]
public sealed class FeatureBuilderTests(PostgresCluster cluster)
{
    private static readonly DateOnly Cutoff = new(2024, 7, 1);

    [Fact]
    public async Task Features_AddingRowsAfterTheCutoff_DoesNotChangeThem()
    {
        await using var ds = await cluster.CreateMigratedDatabaseAsync("pit");
        var random = new Random(7);
        var lines = RandomLines(random, 60, SyntheticOrders.Utc(2023, 1, 1), SyntheticOrders.Utc(2024, 6, 30));
        await SyntheticOrders.InsertAsync(ds, lines);
        var builder = Builder(ds);
        await builder.BuildAsync(Cutoff, CancellationToken.None);
        var before = await SnapshotAsync(ds);

        // Future facts: new orders of known customers, brand-new customers, returns on new orders.
        var future = RandomLines(random, 80, SyntheticOrders.Utc(2024, 7, 1, 0), SyntheticOrders.Utc(2025, 3, 1))
            .Select(l => l with { OrderId = "f" + l.OrderId }).ToList();
        await SyntheticOrders.InsertAsync(ds, future);
        await builder.BuildAsync(Cutoff, CancellationToken.None);
        var after = await SnapshotAsync(ds);

        Assert.True(before.Count > 50);
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task Features_MatchAnIndependentComputation()
    {
        await using var ds = await cluster.CreateMigratedDatabaseAsync("feat");
        var lines = RandomLines(new Random(11), 40, SyntheticOrders.Utc(2023, 1, 1), SyntheticOrders.Utc(2024, 9, 30));
        await SyntheticOrders.InsertAsync(ds, lines);
        await Builder(ds).BuildAsync(Cutoff, CancellationToken.None);

        var cut = Cutoff.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var rows = await ReadAsync(ds);
        var checkedCustomers = 0;
        foreach (var g in lines.Where(l => l.Ts < cut).GroupBy(l => l.Customer))
        {
            var orders = g.GroupBy(l => l.OrderId)
                .Select(o => (Ts: o.First().Ts, Total: o.Sum(l => l.Total), Cancelled: o.All(l => l.Status == "cancelled")))
                .Where(o => !o.Cancelled).OrderBy(o => o.Ts).ToList();
            if (orders.Count == 0)
            {
                continue;
            }

            var f = rows[g.Key];
            Assert.Equal((cut - orders[^1].Ts).TotalDays, f["recency_days"]!.Value, 6);
            Assert.Equal((cut - orders[0].Ts).TotalDays, f["tenure_days"]!.Value, 6);
            Assert.Equal(orders.Count(o => o.Ts >= cut.AddDays(-90)), f["orders_90"]);
            Assert.Equal(orders.Count, f["orders_all"]);
            Assert.Equal((double)orders.Where(o => o.Ts >= cut.AddDays(-365)).Sum(o => o.Total), f["monetary_365"]!.Value, 6);
            Assert.Equal(orders.Count(o => o.Ts >= cut.AddDays(-180) && o.Ts < cut.AddDays(-90)), f["orders_prev_90"]);
            Assert.Equal(g.Count(l => l.Status == "returned"), f["returned_lines"]);
            Assert.Equal(g.Count(l => l.Status == "cancelled"), f["cancelled_lines"]);
            Assert.Equal(g.Select(l => l.Sku).Distinct().Count(), f["distinct_skus"]);
            var recent = (double)orders.Where(o => o.Ts >= cut.AddDays(-180)).Sum(o => o.Total);
            var earlier = (double)orders.Where(o => o.Ts >= cut.AddDays(-360) && o.Ts < cut.AddDays(-180)).Sum(o => o.Total);
            Assert.Equal(recent + earlier > 0 ? (recent - earlier) / (recent + earlier) : 0, f["spend_trend"]!.Value, 6);
            if (orders.Count > 1)
            {
                var gaps = orders.Zip(orders.Skip(1), (a, b) => (b.Ts - a.Ts).TotalDays).ToList();
                Assert.Equal(gaps.Average(), f["avg_interpurchase_days"]!.Value, 6);
                Assert.Equal(gaps[^1], f["last_interpurchase_days"]!.Value, 6);
                Assert.Equal((cut - orders[^1].Ts).TotalDays / gaps.Average(), f["recency_gap_ratio"]!.Value, 6);
                if (gaps.Count > 1)
                {
                    var sd = Math.Sqrt(gaps.Sum(x => (x - gaps.Average()) * (x - gaps.Average())) / (gaps.Count - 1));
                    Assert.Equal(sd / gaps.Average(), f["interpurchase_cv"]!.Value, 6);
                }
                else
                {
                    Assert.Null(f["interpurchase_cv"]);
                }
            }
            else
            {
                Assert.Null(f["avg_interpurchase_days"]);
                Assert.Null(f["interpurchase_cv"]);
                Assert.Null(f["recency_gap_ratio"]);
            }

            Assert.InRange(f["bgnbd_p_alive"]!.Value, 0, 1);
            checkedCustomers++;
        }

        Assert.Equal(checkedCustomers, rows.Count);
        Assert.True(checkedCustomers > 30);
    }

    internal static FeatureBuilder Builder(NpgsqlDataSource ds) =>
        new(ds, new StaticOptions<FeaturesOptions>(new FeaturesOptions()));

    internal static List<TestLine> RandomLines(Random random, int customers, DateTime from, DateTime to)
    {
        var lines = new List<TestLine>();
        var span = (to - from).TotalMinutes;
        for (var c = 0; c < customers; c++)
        {
            var orders = 1 + random.Next(6);
            for (var o = 0; o < orders; o++)
            {
                var ts = from.AddMinutes(Math.Floor(random.NextDouble() * span));
                var orderId = $"c{c}-o{o}-{ts:yyyyMMddHHmm}";
                var lineCount = 1 + random.Next(3);
                for (var l = 0; l < lineCount; l++)
                {
                    var status = random.Next(10) switch { 0 => "returned", 1 => "cancelled", _ => "ordered" };
                    lines.Add(new TestLine($"cust{c}", orderId, ts, "sku" + random.Next(8), Math.Round((decimal)(random.NextDouble() * 100), 2), status));
                }
            }
        }

        return lines;
    }

    private static async Task<List<string>> SnapshotAsync(NpgsqlDataSource ds)
    {
        var cols = string.Join(", ", FeatureColumns.All.Select(c => $"coalesce({c}::text, 'null')"));
        var list = new List<string>();
        await using var cmd = ds.CreateCommand($"select concat_ws('|', customer_id, {cols}) from ml.customer_features order by customer_id");
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            list.Add(r.GetString(0));
        }

        return list;
    }

    private static async Task<Dictionary<string, Dictionary<string, double?>>> ReadAsync(NpgsqlDataSource ds)
    {
        var result = new Dictionary<string, Dictionary<string, double?>>();
        await using var cmd = ds.CreateCommand(
            "select ci.source_customer_id, f.* from ml.customer_features f join core.customer_identity ci on ci.customer_id = f.customer_id");
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            var row = new Dictionary<string, double?>();
            foreach (var c in FeatureColumns.All)
            {
                var i = r.GetOrdinal(c);
                row[c] = r.IsDBNull(i) ? null : r.GetDouble(i);
            }

            result[r.GetString(0)] = row;
        }

        return result;
    }
}

/// <summary>An options monitor that always returns one value.</summary>
internal sealed class StaticOptions<T>(T value) : IOptionsMonitor<T>
{
    public T CurrentValue => value;

    public T Get(string? name) => value;

    public IDisposable? OnChange(Action<T, string?> listener) => null;
}

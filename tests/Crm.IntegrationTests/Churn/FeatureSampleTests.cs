using Crm.IntegrationTests.Infrastructure;
using Crm.Pipeline.Churn;
using Crm.Pipeline.Features;
using Crm.Pipeline.Jobs;
using Npgsql;
using Xunit.Abstractions;

namespace Crm.IntegrationTests.Churn;

/// <summary>
/// Past cutoffs built for a hash sample of the customers (#8): today's cutoff covers everyone, a past
/// cutoff holds exactly the full build's rows of its sampled customers (orders, web and email columns),
/// and asking for a larger sample rebuilds it.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class FeatureSampleTests(PostgresCluster cluster, ITestOutputHelper output) : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("crm-feature-sample-").FullName;

    // The BG/NBD columns are fitted on the customers of the build, so a sample's fit differs from everyone's.
    private static readonly string[] PerCustomerColumns =
        FeatureColumns.All.Where(c => c is not FeatureColumns.ProbabilityAlive and not FeatureColumns.ProbabilityNoPurchase).ToArray();

    [Fact]
    public async Task PastCutoffs_HoldTheFullBuildsRowsOfTheSampledCustomers_AndTodayHoldsEveryone()
    {
        await using var ds = await cluster.CreateMigratedDatabaseAsync("fsample");
        var company = new Crm.Synthetic.GeneratorOptions
        {
            Customers = 800, Start = new DateOnly(2025, 1, 1), Days = 150, Seed = 21, PurchaseScale = 30,
            VisitsPerPurchase = 1.5, BaselineVisitsPerYear = 4, CampaignReach = 0.05, QuestionsPerYear = 0.5, Progress = false,
        };
        ChurnOptions Options(int sample) => new()
        {
            AsOf = company.Start.AddDays(company.Days), HorizonDays = 30, BacktestCutoffs = 1, TrainingCutoffs = 2,
        };
        var options = Options(250);
        await GeneratedCompanyChurnTests.LoadAsync(ds, company, _root, options, output.WriteLine, ["www"], sample: 250);

        var customers = await ds.ScalarAsync<long>("select count(*) from core.customer where status = 'active'");
        var slots = FeatureSample.SlotsFor(customers, 250);
        var built = await CutoffsAsync(ds);
        var asOf = options.AsOf!.Value;
        var latest = asOf.AddDays(-options.HorizonDays);
        Assert.Equal(FeatureSample.All, built[asOf].Slots);
        Assert.All(built.Where(b => b.Key != asOf), b => Assert.Equal(slots, b.Value.Slots));
        Assert.Equal(await ds.ScalarAsync<long>($"select count(*) from ml.customer_features where cutoff = '{asOf:yyyy-MM-dd}'"), built[asOf].Rows);

        var sampled = await SnapshotAsync(ds, latest);
        await FeatureBuilderTests.Builder(ds).BuildAsync(latest, FeatureSample.All, CancellationToken.None);
        var full = await SnapshotAsync(ds, latest);
        output.WriteLine($"{customers} customers, sample slots {slots}; at {latest}: {sampled.Count} sampled rows of {full.Count}");

        // About 250 / customers of the rows (binomial; the bounds are many standard deviations wide).
        var expected = (double)full.Count * slots / FeatureSample.All;
        Assert.InRange(sampled.Count, expected * 0.6, expected * 1.4);
        Assert.True(sampled.Count < full.Count * 0.6, $"{sampled.Count} of {full.Count} rows is no sample");
        foreach (var (customer, row) in sampled)
        {
            Assert.True(full.TryGetValue(customer, out var whole), $"customer {customer} is in the sample but not in the full build");
            Assert.Equal(whole, row);
        }

        // The sample's rows exercise every source, not only orders.
        Assert.Contains(sampled.Values, r => r["web_sessions_90"] > 0);
        Assert.Contains(sampled.Values, r => r["email_days_since_contact"] is not null);

        // Nothing to do when every cutoff holds at least its sample; everyone wanted → the past cutoffs are rebuilt.
        var before = await CutoffsAsync(ds);
        await ChurnWorld.PrepareAsync(ds, options, 20, 250);
        Assert.Equal(before, await CutoffsAsync(ds));
        await ChurnWorld.PrepareAsync(ds, Options(0), 20, 0);
        var after = await CutoffsAsync(ds);
        Assert.All(after, b => Assert.Equal(FeatureSample.All, b.Value.Slots));
        Assert.All(after.Where(b => b.Key != asOf && b.Key != latest), b => Assert.NotEqual(before[b.Key].At, b.Value.At));
        Assert.Equal(before[asOf], after[asOf]);
    }

    private static async Task<Dictionary<DateOnly, (int Slots, long Rows, DateTime At)>> CutoffsAsync(NpgsqlDataSource ds)
    {
        var result = new Dictionary<DateOnly, (int, long, DateTime)>();
        await using var cmd = ds.CreateCommand("select cutoff, sample_slots, customers, computed_at from ml.feature_cutoff");
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            result[r.GetFieldValue<DateOnly>(0)] = (r.GetInt32(1), r.GetInt64(2), r.GetDateTime(3));
        }

        return result;
    }

    private static async Task<Dictionary<long, Dictionary<string, double?>>> SnapshotAsync(NpgsqlDataSource ds, DateOnly cutoff)
    {
        var result = new Dictionary<long, Dictionary<string, double?>>();
        await using var cmd = ds.CreateCommand($"select customer_id, {string.Join(", ", PerCustomerColumns)} from ml.customer_features where cutoff = @c");
        cmd.Parameters.AddWithValue("c", cutoff);
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            var row = new Dictionary<string, double?>();
            for (var i = 0; i < PerCustomerColumns.Length; i++)
            {
                row[PerCustomerColumns[i]] = r.IsDBNull(i + 1) ? null : r.GetDouble(i + 1);
            }

            result[r.GetInt64(0)] = row;
        }

        return result;
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}

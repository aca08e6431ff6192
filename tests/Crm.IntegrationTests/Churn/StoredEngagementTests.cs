using Crm.IntegrationTests.Infrastructure;
using Crm.Pipeline.Churn;
using Crm.Pipeline.Features;
using Npgsql;
using Xunit.Abstractions;

namespace Crm.IntegrationTests.Churn;

/// <summary>
/// The web features read each finished session's stored product views and cart flag (written by the web log
/// stage) instead of its hits (#8); they must be what counting the hits gives, at every cutoff of a run.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class StoredEngagementTests(PostgresCluster cluster, ITestOutputHelper output) : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("crm-stored-engagement-").FullName;

    [Fact]
    public async Task WebFeatures_FromStoredSessionCounts_EqualThoseCountedFromTheHits()
    {
        await using var ds = await cluster.CreateMigratedDatabaseAsync("storedweb");
        var company = new Crm.Synthetic.GeneratorOptions
        {
            Customers = 700, Start = new DateOnly(2025, 1, 1), Days = 150, Seed = 33, PurchaseScale = 30,
            VisitsPerPurchase = 2, BaselineVisitsPerYear = 6, CampaignReach = 0.05, QuestionsPerYear = 0.3, Progress = false,
        };
        var options = new ChurnOptions
        {
            AsOf = company.Start.AddDays(company.Days), HorizonDays = 30, BacktestCutoffs = 1, TrainingCutoffs = 2,
        };
        await GeneratedCompanyChurnTests.LoadAsync(ds, company, _root, options, output.WriteLine, ["www"]);

        // The web log stage stored the counts of every session, and the company's visitors view products and fill carts.
        Assert.Equal(0, await ds.ScalarAsync<long>("select count(*) from core.web_session where product_views is null or carted is null"));
        Assert.True(await ds.ScalarAsync<long>("select count(*) from core.web_session where not is_bot and product_views > 0") > 100);
        Assert.True(await ds.ScalarAsync<long>("select count(*) from core.web_session where not is_bot and carted") > 20);
        var stored = await SnapshotAsync(ds);
        Assert.Contains(stored, r => r.Contains("|abandon>0", StringComparison.Ordinal));

        await ds.ExecuteAsync("update core.web_session set product_views = null, carted = null");
        var builder = FeatureBuilderTests.Builder(ds);
        foreach (var cutoff in await CutoffsAsync(ds))
        {
            await builder.BuildAsync(cutoff, CancellationToken.None);
        }

        var counted = await SnapshotAsync(ds);
        output.WriteLine($"{stored.Count} feature rows over {(await CutoffsAsync(ds)).Count} cutoffs");
        Assert.Equal(counted, stored);
    }

    private static async Task<List<DateOnly>> CutoffsAsync(NpgsqlDataSource ds)
    {
        var list = new List<DateOnly>();
        await using var cmd = ds.CreateCommand("select cutoff from ml.feature_cutoff order by cutoff");
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            list.Add(r.GetFieldValue<DateOnly>(0));
        }

        return list;
    }

    private static async Task<List<string>> SnapshotAsync(NpgsqlDataSource ds)
    {
        var cols = string.Join(", ", FeatureColumns.Web.Select(c => $"coalesce({c}::text, 'null')"));
        var list = new List<string>();
        await using var cmd = ds.CreateCommand(
            $"""
            select concat_ws('|', cutoff, customer_id, {cols}, case when web_cart_abandon_90 > 0 then 'abandon>0' end)
              from ml.customer_features order by cutoff, customer_id
            """);
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            list.Add(r.GetString(0));
        }

        return list;
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}

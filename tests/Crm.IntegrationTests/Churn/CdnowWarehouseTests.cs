using Crm.IntegrationTests.Infrastructure;
using Crm.Pipeline.Churn;
using Crm.Pipeline.Clv;
using Crm.Pipeline.Features;
using Crm.Pipeline.Jobs;
using Crm.Pipeline.Segments;
using Crm.Pipeline.Sources.Orders;
using Crm.Pipeline.Warehouse;
using Microsoft.Extensions.Logging.Abstractions;

namespace Crm.IntegrationTests.Churn;

/// <summary>CDNOW through the warehouse: feed ingest → golden customers → BTYD summary SQL → fits, CLV, segments, churn AUC.</summary>
[Collection(PostgresCollection.Name)]
public sealed class CdnowWarehouseTests(PostgresCluster cluster)
{
    private static readonly DateOnly Holdout = new(1997, 10, 1);

    [Fact]
    public async Task Cdnow_ThroughTheWarehouse_FitsThePublishedParametersAndFillsValuesAndSegments()
    {
        await using var ds = await cluster.CreateMigratedDatabaseAsync("cdnowclv");
        await LoadCdnowAsync(ds);

        var fit = await ClvStage.FitAsync(ds, Holdout, new ClvOptions(), withPareto: true, CancellationToken.None);

        Assert.NotNull(fit);
        Assert.Equal(2357, fit.CustomerIds.Length);
        AssertClose(0.2426, fit.Purchases.R);
        AssertClose(4.4136, fit.Purchases.Alpha);
        AssertClose(0.7929, fit.Purchases.A);
        AssertClose(2.4259, fit.Purchases.B);
        AssertClose(-9582.43, fit.Purchases.LogLikelihood);
        AssertClose(0.5532, fit.Pareto!.R);
        AssertClose(11.672, fit.Pareto.Beta);

        var features = new StaticOptions<FeaturesOptions>(new FeaturesOptions { HorizonDays = 273 });
        var asOf = new StaticOptions<AsOfOptions>(new AsOfOptions { AsOf = Holdout });
        var context = new StageContext(Guid.NewGuid(), "manual", NullProgressSink.Instance);
        await new ClvStage(ds, new StaticOptions<ClvOptions>(new ClvOptions()), asOf).RunAsync(context, CancellationToken.None);
        await new FeatureBuilder(ds, features).BuildAsync(Holdout, CancellationToken.None);
        await new SegmentsStage(ds, new StaticOptions<SegmentOptions>(new SegmentOptions()), asOf).RunAsync(context, CancellationToken.None);

        Assert.Equal(2357, await ds.ScalarAsync<int>("select count(*) from ml.customer_value where clv >= 0 and p_alive between 0 and 1"));
        Assert.Equal(2357, await ds.ScalarAsync<int>("select count(*) from ml.customer_segment where scheme = 'rfm'"));
        Assert.Equal(2357, await ds.ScalarAsync<int>("select count(*) from ml.customer_segment where scheme = 'kmeans'"));
        Assert.True(await ds.ScalarAsync<int>("select count(distinct segment) from ml.customer_segment where scheme = 'rfm'") >= 5);
    }

    [Fact]
    public async Task Segments_KMeansFittedOnASample_AssignsEveryCustomerToOneOfTheClusters()
    {
        await using var ds = await cluster.CreateMigratedDatabaseAsync("cdnowkmeans");
        await LoadCdnowAsync(ds);
        var features = new StaticOptions<FeaturesOptions>(new FeaturesOptions { HorizonDays = 273 });
        var segments = new StaticOptions<SegmentOptions>(new SegmentOptions { MaxFitCustomers = 300 });
        var context = new StageContext(Guid.NewGuid(), "manual", NullProgressSink.Instance);

        await new FeatureBuilder(ds, features).BuildAsync(Holdout, CancellationToken.None);
        var result = await new SegmentsStage(ds, segments, new StaticOptions<AsOfOptions>(new AsOfOptions { AsOf = Holdout })).RunAsync(context, CancellationToken.None);

        Assert.Equal(2357, await ds.ScalarAsync<int>("select count(*) from ml.customer_segment where scheme = 'kmeans'"));
        Assert.Equal(5, await ds.ScalarAsync<int>("select count(distinct segment) from ml.customer_segment where scheme = 'kmeans'"));
        // Each cluster's detail counts its members among everyone, not among the 300 it was fitted on.
        Assert.Equal(2357, await ds.ScalarAsync<long>(
            "select sum((detail->>'size')::bigint) from (select distinct segment, detail from ml.customer_segment where scheme = 'kmeans') c"));
        Assert.Contains("2357 clustered", result.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cdnow_HoldoutChurn_ModelAucIsInThePublishedRangeBesideTheBaselines()
    {
        await using var ds = await cluster.CreateMigratedDatabaseAsync("cdnowchurn");
        await LoadCdnowAsync(ds);
        var options = new ChurnOptions { AsOf = new DateOnly(1998, 7, 1), HorizonDays = 273, ActiveWindowDays = 10_000 };
        await new FeatureBuilder(ds, new StaticOptions<FeaturesOptions>(new FeaturesOptions { HorizonDays = options.HorizonDays })).BuildAsync(Holdout, CancellationToken.None);

        var results = await new ChurnBacktest(ds, options).CrossValidateAsync(Holdout, 5, CancellationToken.None);

        // 1,673 of 2,357 customers make no holdout purchase (README).
        Assert.All(results, r => Assert.Equal(1673.0 / 2357, r.Metrics.ChurnRate, 6));
        var auc = results.ToDictionary(r => r.Model, r => r.Metrics.RocAuc);
        var summary = string.Join(", ", auc.Select(a => $"{a.Key}={a.Value:F3}"));
        Assert.InRange(auc[ChurnModel.FastTree], 0.6, 0.85);
        Assert.InRange(auc[ChurnModel.Logistic], 0.6, 0.85);
        Assert.True(auc["bgnbd"] is > 0.6 and < 0.85, summary);
        Assert.True(auc["recency"] is > 0.6 and < 0.85, summary);
    }

    private static void AssertClose(double expected, double actual) =>
        Assert.True(Math.Abs(actual - expected) <= 0.001 * Math.Abs(expected), $"expected {expected} within 0.1 %, got {actual}");

    /// <summary>The CDNOW sample through its feed, each source customer its own golden customer.</summary>
    private static async Task LoadCdnowAsync(Npgsql.NpgsqlDataSource ds)
    {
        await new OrderFeedIngester(ds, NullLogger<OrderFeedIngester>.Instance)
            .IngestFileAsync(TestData.CdnowSample, TestData.LoadFeed("cdnow"), null, CancellationToken.None);
        await ds.ExecuteAsync(SqlResource.Load("seed_identity_one_to_one.sql").Replace("on commit drop", "", StringComparison.Ordinal));
    }
}

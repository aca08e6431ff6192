using Crm.Pipeline.Churn;
using Crm.Pipeline.Clv;
using Crm.Pipeline.Features;
using Crm.Pipeline.Jobs;
using Crm.Pipeline.Ops;
using Crm.Pipeline.Segments;
using Crm.Pipeline.Sources.Orders;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.Pipeline;

/// <summary>Registers the pipeline's services and stages. The host supplies an <c>NpgsqlDataSource</c>.</summary>
public static class PipelineServiceCollectionExtensions
{
    /// <summary>Adds every stage of this build, its options (bound from <c>Crm:*</c>) and the job classes.</summary>
    public static IServiceCollection AddCrmPipeline(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddSingleton<PipelineRunRecorder>();
        services.AddTransient<StageJob>();
        services.AddTransient<PipelineRunner>();

        // Orders
        services.Configure<OrdersOptions>(configuration.GetSection("Crm:Orders"));
        services.AddSingleton<OrderFeedIngester>();
        services.AddSingleton<IPipelineStage, OrderIngestStage>();

        // Churn, CLV and segments (issue 8): features → train → score → clv → segments.
        services.Configure<ChurnOptions>(configuration.GetSection("Crm:Churn"));
        services.Configure<ClvOptions>(configuration.GetSection("Crm:Clv"));
        services.Configure<SegmentOptions>(configuration.GetSection("Crm:Segments"));
        services.AddSingleton<FeatureBuilder>();
        services.AddSingleton<ChurnTrainer>();
        services.AddSingleton<ChurnScorer>();
        services.AddSingleton<IPipelineStage, FeaturesStage>();
        services.AddSingleton<IPipelineStage, TrainStage>();
        services.AddSingleton<IPipelineStage, ScoreStage>();
        services.AddSingleton<IPipelineStage, ClvStage>();
        services.AddSingleton<IPipelineStage, SegmentsStage>();

        return services;
    }
}

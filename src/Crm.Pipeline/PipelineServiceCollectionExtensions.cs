using Crm.Pipeline.Identity;
using Crm.Pipeline.Jobs;
using Crm.Pipeline.Ops;
using Crm.Pipeline.Sources.Orders;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

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

        // Orders
        services.Configure<OrdersOptions>(configuration.GetSection("Crm:Orders"));
        services.AddSingleton<OrderFeedIngester>();
        services.AddSingleton<IPipelineStage, OrderIngestStage>();

        // Identity: cleaning and identity resolution into golden customers (issue 7).
        services.AddOptions<IdentityOptions>().Bind(configuration.GetSection("Crm:Identity")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<IdentityOptions>, IdentityOptionsValidator>();
        services.AddSingleton<IdentityResolver>();
        services.AddSingleton<IPipelineStage, IdentityStage>();

        return services;
    }
}

using Crm.Pipeline.Jobs;
using Crm.Pipeline.Ops;
using Crm.Pipeline.Sources.Email;
using Crm.Pipeline.Sources.Orders;
using Crm.Pipeline.Sources.WebLogs;
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
        services.AddTransient<PipelineRunner>();

        // Orders
        services.Configure<OrdersOptions>(configuration.GetSection("Crm:Orders"));
        services.AddSingleton<OrderFeedIngester>();
        services.AddSingleton<IPipelineStage, OrderIngestStage>();

        // Web logs (issue 5): sites from Crm:WebLogs:Sources, validated at start; the weblogs stage.
        services.AddOptions<WebLogsOptions>().Bind(configuration.GetSection("Crm:WebLogs")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<WebLogsOptions>, WebLogsOptionsValidator>();
        services.AddSingleton<WebLogIngester>();
        services.AddSingleton<IPipelineStage, WebLogStage>();
        // Email (issue 6): drop folders and IMAP accounts from Crm:Email, validated at start.
        services.AddOptions<EmailOptions>().Bind(configuration.GetSection("Crm:Email")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<EmailOptions>, EmailOptionsValidator>();
        services.AddSingleton<EmailFileIngester>();
        services.AddSingleton<ImapSyncer>();
        services.AddSingleton<IPipelineStage, EmailIngestStage>();

        return services;
    }
}

using Crm.Pipeline.Backup;
using Crm.Pipeline.Churn;
using Crm.Pipeline.Clv;
using Crm.Pipeline.Features;
using Crm.Pipeline.Identity;
using Crm.Pipeline.Jobs;
using Crm.Pipeline.Notifications;
using Crm.Pipeline.Display;
using Crm.Pipeline.Retention;
using Crm.Pipeline.Privacy;
using Crm.Pipeline.Reports;
using Crm.Pipeline.Segments;
using Crm.Pipeline.Sources.Email;
using Crm.Pipeline.Sources.Orders;
using Crm.Pipeline.Sources.WebLogs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Crm.Pipeline;

/// <summary>Registers the pipeline's services and stages. The host supplies an <c>NpgsqlDataSource</c>.</summary>
public static class PipelineServiceCollectionExtensions
{
    /// <summary>Adds every stage of this build, its options (bound from <c>Crm:*</c>) and the job classes.</summary>
    public static IServiceCollection AddCrmPipeline(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<RunLeaseOptions>().Bind(configuration.GetSection("Crm:Worker")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RunLeaseOptions>, RunLeaseOptionsValidator>();
        services.AddSingleton<PipelineRunRecorder>();
        services.AddTransient<StageJob>();
        services.AddOptions<JobRetryOptions>().Bind(configuration.GetSection("Crm:Worker")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<JobRetryOptions>, JobRetryOptionsValidator>();
        services.AddTransient<PingJob>();
        services.AddTransient<PipelineRunner>();

        // Orders
        services.AddOptions<OrdersOptions>().Bind(configuration.GetSection("Crm:Orders")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<OrdersOptions>, OrdersOptionsValidator>();
        services.AddSingleton<OrderFeedIngester>();
        services.AddSingleton<IPipelineStage, OrderIngestStage>();

        // Reports (issue 9): manager emails, exactly once per (report, period, recipient), bound from Crm:Reports.
        services.AddOptions<ReportsOptions>().Bind(configuration.GetSection("Crm:Reports")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ReportsOptions>, ReportsOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ReportService>();
        services.AddSingleton<ReportArchive>();
        services.AddSingleton<ReportsStage>();
        services.AddSingleton<IPipelineStage>(sp => sp.GetRequiredService<ReportsStage>());

        // Web logs (issue 5): sites from Crm:WebLogs:Sources, validated at start; the weblogs stage.
        services.AddOptions<WebLogsOptions>().Bind(configuration.GetSection("Crm:WebLogs")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<WebLogsOptions>, WebLogsOptionsValidator>();
        services.AddSingleton<WebLogIngester>();
        services.AddSingleton<IPipelineStage, WebLogStage>();
        // Email (issue 6): drop folders and IMAP accounts from Crm:Email, validated at start.
        services.AddOptions<EmailOptions>().Bind(configuration.GetSection("Crm:Email")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<EmailOptions>, EmailOptionsValidator>();
        services.AddSingleton<EmailFileIngester>();
        services.AddSingleton<Crm.Pipeline.Sources.Email.OAuth.ImapCredentials>();
        services.AddSingleton<ImapSyncer>();
        services.AddSingleton<IPipelineStage, EmailIngestStage>();

        // Identity: cleaning and identity resolution into golden customers (issue 7).
        services.AddOptions<IdentityOptions>().Bind(configuration.GetSection("Crm:Identity")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<IdentityOptions>, IdentityOptionsValidator>();
        services.AddSingleton<IdentityResolver>();
        services.AddSingleton<IPipelineStage, IdentityStage>();

        // Churn, CLV and segments (issue 8): features → train → score → clv → segments.
        services.AddOptions<ChurnOptions>().Bind(configuration.GetSection("Crm:Churn")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ChurnOptions>, ChurnOptionsValidator>();
        // The day every learn stage computes as of (Crm:Churn:AsOf), without reading the churn model's settings.
        services.AddOptions<AsOfOptions>().Bind(configuration.GetSection("Crm:Churn"));
        // The features stage's own section; the keys it took over from Crm:Churn are read there first, so older settings keep working.
        services.AddOptions<FeaturesOptions>().Bind(configuration.GetSection("Crm:Churn")).Bind(configuration.GetSection("Crm:Features")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<FeaturesOptions>, FeaturesOptionsValidator>();
        services.AddOptions<ClvOptions>().Bind(configuration.GetSection("Crm:Clv")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ClvOptions>, ClvOptionsValidator>();
        services.AddOptions<SegmentOptions>().Bind(configuration.GetSection("Crm:Segments")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SegmentOptions>, SegmentOptionsValidator>();
        services.AddSingleton<FeatureBuilder>();
        services.AddSingleton<FeaturePreparer>();
        services.AddSingleton<ChurnTrainer>();
        services.AddSingleton<ChurnScorer>();
        services.AddSingleton<IPipelineStage, FeaturesStage>();
        services.AddSingleton<IPipelineStage, TrainStage>();
        services.AddSingleton<IPipelineStage, ScoreStage>();
        services.AddSingleton<IPipelineStage, ClvStage>();
        services.AddSingleton<IPipelineStage, SegmentsStage>();

        // Privacy and retention (issue 10): forget a person; drop what is past its window, last in the chain.
        services.AddSingleton<Forgetter>();
        services.AddOptions<RetentionOptions>().Bind(configuration.GetSection("Crm:Retention")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RetentionOptions>, RetentionOptionsValidator>();
        services.AddSingleton<IPipelineStage, RetentionStage>();

        // Admin notifications (issue 19): incidents watched by the service, told by email (through Crm:Reports:Smtp) and webhooks.
        services.AddOptions<DisplayOptions>().Bind(configuration.GetSection("Crm:Display")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DisplayOptions>, DisplayOptionsValidator>();
        services.AddOptions<NotificationsOptions>()
            .Bind(configuration.GetSection("Crm:Notifications"))
            .Configure(o => configuration.GetSection("Crm:Reports:Smtp").Bind(o.Smtp))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<NotificationsOptions>, NotificationsOptionsValidator>();
        services.AddSingleton<IncidentBook>();
        services.AddSingleton<NotificationSender>();

        // Backups (issue 23): snapshots with retention, on a schedule of their own (not in the nightly chain).
        services.AddOptions<BackupOptions>().Bind(configuration.GetSection("Crm:Backup")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<BackupOptions>, BackupOptionsValidator>();
        services.AddSingleton<IPipelineStage, BackupStage>();

        return services;
    }
}

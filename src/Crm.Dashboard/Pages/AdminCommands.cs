using Crm.Pipeline.Churn;
using Crm.Pipeline.Jobs;
using Crm.Pipeline.Sources;
using Hangfire;
using Hangfire.Dashboard;
using Npgsql;

namespace Crm.Dashboard.Pages;

/// <summary>
/// The admin actions of our pages, as Hangfire dashboard commands: POST only, with Hangfire's anti-forgery
/// token, refused for viewers (read-only dashboard here, and the role check in front of <c>/hangfire</c>).
/// Promote and roll back use the same registry calls as <c>crm churn promote|rollback</c>.
/// </summary>
internal static class AdminCommands
{
    public static void Register()
    {
        DashboardRoutes.Routes.AddCommand("/models/promote/(?<Version>[A-Za-z0-9._\\-]+)", context =>
        {
            var http = context.GetHttpContext();
            if (context.IsReadOnly)
            {
                return false;
            }

            var registry = new ModelRegistry(http.RequestServices.GetRequiredService<NpgsqlDataSource>());
            try
            {
                registry.PromoteAsync(context.UriMatch.Groups["Version"].Value, "promoted by admin " + User(http), http.RequestAborted).GetAwaiter().GetResult();
                return true;
            }
            catch (InvalidOperationException)
            {
                return false; // no such version: 422
            }
        });

        DashboardRoutes.Routes.AddCommand("/models/rollback", context =>
        {
            var http = context.GetHttpContext();
            if (context.IsReadOnly)
            {
                return false;
            }

            var registry = new ModelRegistry(http.RequestServices.GetRequiredService<NpgsqlDataSource>());
            try
            {
                registry.RollbackAsync(http.RequestAborted).GetAwaiter().GetResult();
                return true;
            }
            catch (InvalidOperationException)
            {
                return false; // no earlier champion: 422
            }
        });

        // Re-process after a fix: release the files with quarantined rows of this source (and reason kind,
        // from ?kind=) and enqueue the source's ingest stage as a manual run.
        DashboardRoutes.Routes.AddCommand("/quality/reprocess/(?<Source>[a-z]+)", context =>
        {
            var http = context.GetHttpContext();
            var source = context.UriMatch.Groups["Source"].Value;
            if (context.IsReadOnly || !QuarantineReprocessor.Sources.Contains(source))
            {
                return false;
            }

            var services = http.RequestServices;
            var kind = http.Request.Query["kind"].FirstOrDefault();
            var reprocessor = new QuarantineReprocessor(services.GetRequiredService<NpgsqlDataSource>());
            var released = reprocessor.ReleaseAsync(source, string.IsNullOrEmpty(kind) ? null : kind, User(http), http.RequestAborted).GetAwaiter().GetResult();
            if (released.Units.Count > 0)
            {
                var recorder = services.GetRequiredService<PipelineRunRecorder>();
                var (runId, _) = recorder.StartRunAsync("manual", null, http.RequestAborted).GetAwaiter().GetResult();
                NightlyChain.Enqueue(new BackgroundJobClient(context.Storage), runId, "manual", [source]);
            }

            return true;
        });
    }

    private static string User(HttpContext http) => http.User.Identity?.Name ?? "admin";
}

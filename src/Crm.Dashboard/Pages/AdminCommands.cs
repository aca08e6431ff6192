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
        DashboardRoutes.Routes.Add("/models/promote/(?<Version>[A-Za-z0-9._\\-]+)", new AsyncCommandDispatcher(async context =>
        {
            var http = context.GetHttpContext();
            if (context.IsReadOnly)
            {
                return ReadOnly;
            }

            var registry = new ModelRegistry(http.RequestServices.GetRequiredService<NpgsqlDataSource>());
            try
            {
                await registry.PromoteAsync(context.UriMatch.Groups["Version"].Value, "promoted by admin " + User(http), http.RequestAborted).ConfigureAwait(false);
                return null;
            }
            catch (ModelRegistryException e)
            {
                return e.Message; // no such version
            }
        }));

        DashboardRoutes.Routes.Add("/models/rollback", new AsyncCommandDispatcher(async context =>
        {
            var http = context.GetHttpContext();
            if (context.IsReadOnly)
            {
                return ReadOnly;
            }

            var registry = new ModelRegistry(http.RequestServices.GetRequiredService<NpgsqlDataSource>());
            try
            {
                await registry.RollbackAsync(http.RequestAborted).ConfigureAwait(false);
                return null;
            }
            catch (ModelRegistryException e)
            {
                return e.Message; // no earlier champion
            }
        }));

        // Re-process after a fix: release the files with quarantined rows of this source (and reason kind,
        // from ?kind=) and enqueue the source's ingest stage as a manual run.
        DashboardRoutes.Routes.Add("/quality/reprocess/(?<Source>[a-z]+)", new AsyncCommandDispatcher(async context =>
        {
            var http = context.GetHttpContext();
            var source = context.UriMatch.Groups["Source"].Value;
            if (context.IsReadOnly)
            {
                return ReadOnly;
            }

            if (!QuarantineReprocessor.Sources.Contains(source))
            {
                return $"'{source}' is not a source that quarantines rows ({string.Join(", ", QuarantineReprocessor.Sources)}).";
            }

            var services = http.RequestServices;
            var kind = http.Request.Query["kind"].FirstOrDefault();
            var reprocessor = new QuarantineReprocessor(services.GetRequiredService<NpgsqlDataSource>());
            var released = await reprocessor.ReleaseAsync(source, string.IsNullOrEmpty(kind) ? null : kind, User(http), http.RequestAborted).ConfigureAwait(false);
            if (released.Units.Count > 0)
            {
                var recorder = services.GetRequiredService<PipelineRunRecorder>();
                var (runId, _) = await recorder.StartRunAsync("manual", null, http.RequestAborted).ConfigureAwait(false);
                NightlyChain.Enqueue(new BackgroundJobClient(context.Storage), runId, "manual", [source]);
            }

            return null;
        }));
    }

    private const string ReadOnly = "This dashboard is read-only for your role; an admin can do this.";

    private static string User(HttpContext http) => http.User.Identity?.Name ?? "admin";
}

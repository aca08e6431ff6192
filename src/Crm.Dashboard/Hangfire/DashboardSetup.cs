using Crm.Pipeline.Jobs;
using Hangfire;
using Hangfire.Dashboard;

namespace Crm.Dashboard.Hangfire;

/// <summary>Our additions to the Hangfire dashboard: the progress page and the pipeline page with its trigger command.</summary>
public static class DashboardSetup
{
    private static int _registered;

    /// <summary>Registers the pages, menu items and commands once per process.</summary>
    public static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 1)
        {
            return;
        }

        // After Hangfire's own style sheets: the menu's layout at widths where it takes two lines.
        DashboardRoutes.AddStylesheet(typeof(DashboardSetup).Assembly, "Crm.Dashboard.crm.css");
        // After Hangfire's scripts: the footer's time in the one format of our pages.
        DashboardRoutes.AddJavaScript(typeof(DashboardSetup).Assembly, "Crm.Dashboard.crm.js");
        DashboardRoutes.Routes.AddRazorPage("/progress", _ => new ProgressPage());
        DashboardRoutes.Routes.AddRazorPage("/pipeline", _ => new PipelinePage());
        DashboardRoutes.Routes.AddRazorPage("/runs", _ => new Pages.RunsPage());
        DashboardRoutes.Routes.AddRazorPage("/quality", _ => new Pages.QualityPage());
        DashboardRoutes.Routes.AddRazorPage("/identity", _ => new Pages.IdentityPage());
        DashboardRoutes.Routes.AddRazorPage("/review", _ => new Pages.ReviewPage());
        DashboardRoutes.Routes.AddRazorPage("/models", _ => new Pages.ModelsPage());
        DashboardRoutes.Routes.AddRazorPage("/reports", _ => new Pages.ReportsPage());
        DashboardRoutes.Routes.Add("/schedules", new Pages.PrefetchedPageDispatcher("/schedules", () => new Pages.SchedulesPage(), Pages.SchedulesPage.PrefetchAsync));
        DashboardRoutes.Routes.AddRazorPage("/nights", _ => new Pages.NightsPage());
        DashboardRoutes.Routes.Add("/nights/durations\\.csv", new Charts.NightCsvDispatcher(durations: true));
        DashboardRoutes.Routes.Add("/nights/loads\\.csv", new Charts.NightCsvDispatcher(durations: false));
        DashboardRoutes.Routes.Add("/models/auc\\.csv", new Charts.CsvDispatcher("crm-model-auc.csv", (warehouse, zone) => Charts.ModelData.AucCsv(warehouse, zone)));
        DashboardRoutes.Routes.Add("/reports/deliveries\\.csv", new Charts.CsvDispatcher("crm-report-deliveries.csv", Charts.DeliveryData.Csv));
        foreach (var action in new[] { "pause", "resume", "fire" })
        {
            DashboardRoutes.Routes.Add($"/schedules/{action}/(?<Name>[^/]+)", new Schedules.ScheduleCommand(action));
        }

        DashboardRoutes.Routes.Add("/reports/html/(?<Id>\\d+)", new Pages.ReportHtmlDispatcher());
        foreach (var (title, path) in new[] { ("Nights", "/nights"), ("Runs", "/runs"), ("Data quality", "/quality"), ("Identity", "/identity"), ("Review", "/review"), ("Models", "/models"), ("Reports", "/reports"), ("Schedules", "/schedules") })
        {
            NavigationMenu.Items.Add(page => new MenuItem(title, page.Url.To(path))
            {
                Active = page.RequestPath.StartsWith(path, StringComparison.Ordinal),
            });
        }

        NavigationMenu.Items.Add(page => new MenuItem("Progress", page.Url.To("/progress"))
        {
            Active = page.RequestPath.StartsWith("/progress", StringComparison.Ordinal),
        });
        NavigationMenu.Items.Add(page => new MenuItem("Pipeline", page.Url.To("/pipeline"))
        {
            Active = page.RequestPath.StartsWith("/pipeline", StringComparison.Ordinal),
        });

        Pages.AdminCommands.Register();
        Pages.ReviewCommands.Register();

        // A Hangfire command: POST only, refused in read-only (viewer) mode by Hangfire and by our role check.
        DashboardRoutes.Routes.Add("/pipeline/trigger/(?<Stage>[a-z]+)", new Pages.AsyncCommandDispatcher(async context =>
        {
            var http = context.GetHttpContext();
            if (context.IsReadOnly)
            {
                return "This dashboard is read-only for your role; an admin can do this.";
            }

            var stage = context.UriMatch.Groups["Stage"].Value;
            var services = http.RequestServices;
            var known = PipelineStages.Sort(services.GetServices<IPipelineStage>()).Select(s => s.Name).ToList();
            var stages = stage == "nightly" ? known.Where(s => !PipelineStages.OnTheirOwn.Contains(s)).ToList() : known.Where(s => s == stage).ToList();
            if (stages.Count == 0)
            {
                return $"No stage '{stage}' in this build; the stages are: {string.Join(", ", known)}.";
            }

            var recorder = services.GetRequiredService<PipelineRunRecorder>();
            var (runId, _) = await recorder.StartRunAsync("manual", null, http.RequestAborted).ConfigureAwait(false);
            NightlyChain.Enqueue(new BackgroundJobClient(context.Storage), runId, "manual", stages);
            Pages.Flash.RunStarted(http, runId, string.Join(" → ", stages));
            return null;
        }));
    }
}

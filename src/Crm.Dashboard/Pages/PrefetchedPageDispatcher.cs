using Hangfire.Dashboard;

namespace Crm.Dashboard.Pages;

/// <summary>
/// A page whose data comes from an asynchronous API: Hangfire renders a <see cref="RazorPage"/> synchronously, so the
/// data is awaited here first and left in the request's items, where the page reads it; then Hangfire's own page
/// dispatcher renders the page. Nothing blocks a thread on a task.
/// </summary>
internal sealed class PrefetchedPageDispatcher : IDashboardDispatcher
{
    private readonly Func<DashboardContext, Task> _prefetch;
    private readonly IDashboardDispatcher _page;

    /// <param name="path">The page's route, as given to <see cref="RouteCollectionExtensions.AddRazorPage"/>.</param>
    /// <param name="page">Creates the page.</param>
    /// <param name="prefetch">Awaits the page's data and stores it in <c>HttpContext.Items</c>.</param>
    public PrefetchedPageDispatcher(string path, Func<RazorPage> page, Func<DashboardContext, Task> prefetch)
    {
        // Hangfire's page dispatcher is internal: a route collection of our own makes one.
        var routes = new global::Hangfire.Dashboard.RouteCollection();
        routes.AddRazorPage(path, _ => page());
        _page = routes.FindDispatcher(path)?.Item1 ?? throw new InvalidOperationException($"no page dispatcher for {path}");
        _prefetch = prefetch;
    }

    /// <inheritdoc />
    public async Task Dispatch(DashboardContext context)
    {
        await _prefetch(context).ConfigureAwait(false);
        await _page.Dispatch(context).ConfigureAwait(false);
    }
}

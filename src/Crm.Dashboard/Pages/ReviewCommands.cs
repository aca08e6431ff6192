using Crm.Pipeline.Identity;
using Hangfire.Dashboard;
using Npgsql;

namespace Crm.Dashboard.Pages;

/// <summary>
/// POST <c>/review/ID/{merge|keep-apart|skip}</c>: an admin's decision on a review item, with Hangfire's anti-forgery
/// token. The dashboard's guard answers a viewer's POST 403 before this runs; the read-only check here is the second lock.
/// </summary>
internal static class ReviewCommands
{
    public static void Register() =>
        DashboardRoutes.Routes.Add("/review/(?<Id>\\d{1,18})/(?<Choice>merge|keep-apart|skip)", new AsyncCommandDispatcher(async context =>
        {
            var http = context.GetHttpContext();
            if (context.IsReadOnly)
            {
                return "This dashboard is read-only for your role; an admin can decide review items.";
            }

            var choice = context.UriMatch.Groups["Choice"].Value switch
            {
                "merge" => ReviewChoice.Merge,
                "keep-apart" => ReviewChoice.KeepApart,
                _ => ReviewChoice.Skip,
            };
            var queue = new ReviewQueue(http.RequestServices.GetRequiredService<NpgsqlDataSource>());
            return await queue.DecideAsync(long.Parse(context.UriMatch.Groups["Id"].Value, System.Globalization.CultureInfo.InvariantCulture), choice,
                http.User.Identity?.Name ?? "admin", http.RequestAborted).ConfigureAwait(false);
        }));
}

using System.Net;
using Crm.Pipeline.Jobs;
using Hangfire.Dashboard;
using Hangfire.Dashboard.Pages;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.Dashboard.Hangfire;

/// <summary>
/// Lets an admin start any stage, or the whole nightly chain, now. The buttons post through
/// Hangfire's own command mechanism (anti-forgery token included); viewers see no buttons and
/// their posts are refused.
/// </summary>
internal sealed class PipelinePage : RazorPage
{
    public override void Execute()
    {
        Layout = new LayoutPage("Pipeline");
        WriteLiteral("<div class=\"row\"><div class=\"col-md-12\"><h1 class=\"page-header\">Pipeline</h1>");
        var http = Context.GetHttpContext();
        WriteLiteral(Pages.Flash.Render(http, Url, http.RequestServices.GetRequiredService<Npgsql.NpgsqlDataSource>()));
        if (IsReadOnly)
        {
            WriteLiteral("<div class=\"alert alert-warning\">You are signed in as a viewer: you can watch jobs but not start them.</div>");
        }

        WriteLiteral("<table class=\"table\"><thead><tr><th>Stage</th><th></th></tr></thead><tbody>");
        var stages = PipelineStages.Sort(Context.GetHttpContext().RequestServices.GetServices<IPipelineStage>()).Select(s => s.Name);
        foreach (var stage in stages.Prepend("nightly"))
        {
            WriteLiteral($"<tr><td>{WebUtility.HtmlEncode(stage)}</td><td>");
            if (!IsReadOnly)
            {
                WriteLiteral($"<button class=\"btn btn-sm btn-primary\" data-ajax=\"{Url.To("/pipeline/trigger/" + stage)}\" data-loading-text=\"Enqueuing…\" id=\"trigger-{stage}\">Run now</button>");
            }

            WriteLiteral("</td></tr>");
        }

        WriteLiteral("</tbody></table></div></div>");
        WriteLiteral(Pages.CrmPage.NowMarker(http.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<Crm.Pipeline.Display.DisplayOptions>>().Value.Zone));
    }
}

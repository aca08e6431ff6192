using Crm.Dashboard.Charts;
using Crm.Pipeline.Display;
using Hangfire.Dashboard;
using Microsoft.Extensions.Options;

namespace Crm.Dashboard.Pages;

/// <summary>
/// The nights at a glance: each stage's duration per night (stacked) and each source's rows loaded and quarantined per
/// night, for the last 60 nights; server-drawn SVG, each chart with its numbers as CSV.
/// </summary>
internal sealed class NightsPage : CrmPage
{
    public NightsPage()
        : base("Nights")
    {
    }

    protected override void Render()
    {
        var zone = Context.GetHttpContext().RequestServices.GetRequiredService<IOptions<DisplayOptions>>().Value.Zone;
        WriteLiteral($"<p>The last {NightData.Nights} nights with any work, by the day (in {Encode(zone.Id)}) a stage started or a file was loaded. Hover a bar for its number.</p>");

        var durations = NightData.Durations(Warehouse, zone);
        var nights = durations.Select(d => d.Night).Distinct().Order().ToList();
        var stages = durations.Select(d => d.Stage).Distinct().Order(StringComparer.Ordinal).ToList();
        var series = stages.Select(stage => (stage, nights.Select(n => durations.Where(d => d.Night == n && d.Stage == stage).Sum(d => d.Seconds)).ToArray())).ToList();
        WriteLiteral("<h3>Stage durations per night</h3>");
        WriteLiteral(SvgBarChart.Stacked("crm-chart-durations", "Seconds per stage per night", "seconds", nights.Select(n => n.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)).ToList(), series));
        WriteLiteral($"<p><a href=\"{Url.To("/nights/durations.csv")}\" id=\"crm-durations-csv\">Numbers as CSV</a> (night, stage, seconds)</p>");

        var loads = NightData.Loads(Warehouse, zone);
        var loadNights = loads.Select(l => l.Night).Distinct().Order().ToList();
        var sources = loads.Select(l => l.Source).Distinct().Order(StringComparer.Ordinal).ToList();
        var loadSeries = sources
            .SelectMany(source => new[]
            {
                ($"{source} loaded", loadNights.Select(n => loads.Where(l => l.Night == n && l.Source == source).Sum(l => l.Loaded)).ToArray()),
                ($"{source} quarantined", loadNights.Select(n => loads.Where(l => l.Night == n && l.Source == source).Sum(l => l.Quarantined)).ToArray()),
            })
            .ToList();
        WriteLiteral("<h3>Rows loaded and quarantined per source per night</h3>");
        WriteLiteral(SvgBarChart.Stacked("crm-chart-loads", "Rows loaded and quarantined per source per night", "rows", loadNights.Select(n => n.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)).ToList(), loadSeries));
        WriteLiteral($"<p><a href=\"{Url.To("/nights/loads.csv")}\" id=\"crm-loads-csv\">Numbers as CSV</a> (night, source, loaded, quarantined)</p>");
    }
}

using System.Text.RegularExpressions;
using Crm.Dashboard.Charts;

namespace Crm.Tests.Dashboard;

/// <summary>
/// Issue 19: a chart's legend stays inside the chart. On one line the loads chart's eight series (four sources, loaded
/// and quarantined) ran past the right edge and the last two names were cut off.
/// </summary>
public sealed class ChartLegendTests
{
    // The demo's sources: campaign sends, email, orders and web logs, each loaded and quarantined.
    private static readonly string[] Sources = ["campaign_sends", "email", "orders", "weblogs"];

    private static readonly (string Name, double[] Values)[] Series =
        [.. Sources.SelectMany(s => new[] { ($"{s} loaded", new[] { 100.0 }), ($"{s} quarantined", new[] { 1.0 }) })];

    [Fact]
    public void Stacked_WithEightSeries_WrapsItsLegend_AndEveryNameEndsInsideTheChart()
    {
        var svg = SvgBarChart.Stacked("c", "t", "rows", ["2026-12-07"], Series);

        // Each legend name: a 12-unit swatch, 4 units, then the text at about 7 units a character (font size 12).
        var names = Regex.Matches(svg, "<text x=\"(\\d+)\" y=\"(\\d+)\" font-size=\"12\" fill=\"#333\">([^<]+)</text>");
        Assert.Equal(Series.Select(s => s.Name), names.Select(m => m.Groups[3].Value));
        var viewBoxWidth = int.Parse(Regex.Match(svg, "viewBox=\"0 0 (\\d+) ").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.All(names, m => Assert.True(
            int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) + (m.Groups[3].Value.Length * 7) <= viewBoxWidth,
            $"'{m.Groups[3].Value}' at x {m.Groups[1].Value} ends past the chart's width {viewBoxWidth}"));
        // Eight names of this length take two lines, and the bars start below the second.
        var lines = names.Select(m => m.Groups[2].Value).Distinct().ToList();
        Assert.Equal(2, lines.Count);
        var barTop = double.Parse(Regex.Match(svg, "<rect x=\"[\\d.]+\" y=\"([\\d.]+)\" width=\"[\\d.]+\" height=\"[\\d.]+\" fill=\"[^\"]+\" data-category").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(barTop > int.Parse(lines[1], System.Globalization.CultureInfo.InvariantCulture), $"the bars start at y {barTop}, in the legend's second line at {lines[1]}");
    }

    [Fact]
    public void Lines_WithFewSeries_KeepsOneLegendLine()
    {
        var svg = SvgLineChart.Lines("c", "t", "AUC", ["2026-12-07T22:42Z"], [("champion", [0.7]), ("logistic", [0.71])], 0.5, 1);
        var lines = Regex.Matches(svg, "<text x=\"\\d+\" y=\"(\\d+)\" font-size=\"12\" fill=\"#333\">").Select(m => m.Groups[1].Value).Distinct();
        Assert.Single(lines);
    }
}

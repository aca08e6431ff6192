using System.Globalization;
using System.Net;
using System.Text;

namespace Crm.Dashboard.Charts;

/// <summary>
/// A stacked bar chart as inline SVG, drawn on the server: no script, no style sheet and no external image, so it
/// shows under the dashboard's content security policy. Each bar segment carries a <c>&lt;title&gt;</c> (the
/// browser's own tooltip) with its exact value; the same numbers are offered as CSV next to the chart.
/// </summary>
internal static class SvgBarChart
{
    private const int Width = 960;
    private const int PlotHeight = 216;
    private const int Left = 64;
    private const int Right = 16;
    private const int Bottom = 64;
    private const int MaxSlot = 60;

    // Colour-blind-safe (Okabe–Ito), then greys.
    private static readonly string[] Palette = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000", "#999999", "#666666", "#BBBBBB", "#333333"];

    /// <summary>
    /// Bars for <paramref name="categories"/> (left to right), each stacked from <paramref name="series"/> (values in
    /// the same order as the categories). <paramref name="id"/> names the SVG element for tests and links.
    /// </summary>
    public static string Stacked(string id, string title, string unit, IReadOnlyList<string> categories, IReadOnlyList<(string Name, double[] Values)> series)
    {
        var names = series.Select(s => s.Name).ToList();
        var (places, legendBottom) = SvgLegend.Layout(names, Left, Width - Right);
        var top = categories.Count == 0 ? 40 : legendBottom;
        var height = top + PlotHeight + Bottom;
        var svg = new StringBuilder();
        // In a box of its own that scrolls sideways on a phone, where the chart keeps a readable size (crm.css).
        svg.Append("<div class=\"crm-chart\">");
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"{id}\" role=\"img\" viewBox=\"0 0 {Width} {height}\" width=\"100%\" preserveAspectRatio=\"xMidYMid meet\" aria-label=\"{Encode(title)}\">");
        svg.Append(CultureInfo.InvariantCulture, $"<title>{Encode(title)}</title>");
        if (categories.Count == 0)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2}\" y=\"{height / 2}\" text-anchor=\"middle\" font-size=\"14\" fill=\"#666\">nothing to show yet</text></svg></div>");
            return svg.ToString();
        }

        var totals = new double[categories.Count];
        foreach (var (_, values) in series)
        {
            for (var i = 0; i < totals.Length; i++)
            {
                totals[i] += values[i];
            }
        }

        var max = Nice(totals.Max());
        var plotWidth = Width - Left - Right;
        var plotHeight = PlotHeight;
        double Y(double v) => top + plotHeight - (v / max * plotHeight);

        // Grid and the value axis.
        for (var g = 0; g <= 4; g++)
        {
            var v = max * g / 4;
            var y = Y(v);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{y:0.#}\" y2=\"{y:0.#}\" stroke=\"#ddd\" stroke-width=\"1\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{y + 4:0.#}\" text-anchor=\"end\" font-size=\"11\" fill=\"#555\">{Encode(Number(v))}</text>");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"12\" y=\"{top + plotHeight / 2}\" transform=\"rotate(-90 12 {top + plotHeight / 2})\" text-anchor=\"middle\" font-size=\"11\" fill=\"#555\">{Encode(unit)}</text>");

        // At most MaxSlot per category, from the left: a single night drawn as one bar across the whole chart read as a
        // block, and in the middle it was off-screen on a phone, where the chart scrolls sideways.
        var slot = Math.Min((double)plotWidth / categories.Count, MaxSlot);
        var bar = Math.Max(1, slot * 0.8);
        var labelEvery = Math.Max(1, (int)Math.Ceiling(categories.Count / 12.0));
        for (var i = 0; i < categories.Count; i++)
        {
            var x = Left + (i * slot) + ((slot - bar) / 2);
            var bottom = 0.0;
            for (var s = 0; s < series.Count; s++)
            {
                var value = series[s].Values[i];
                if (value <= 0)
                {
                    continue;
                }

                var y = Y(bottom + value);
                var h = Y(bottom) - y;
                svg.Append(CultureInfo.InvariantCulture,
                    $"<rect x=\"{x:0.##}\" y=\"{y:0.##}\" width=\"{bar:0.##}\" height=\"{Math.Max(h, 0.5):0.##}\" fill=\"{Palette[s % Palette.Length]}\" data-category=\"{Encode(categories[i])}\" data-series=\"{Encode(series[s].Name)}\" data-value=\"{value.ToString("0.###", CultureInfo.InvariantCulture)}\">"
                    + $"<title>{Encode(categories[i])} {Encode(series[s].Name)}: {Encode(Number(value))} {Encode(unit)}</title></rect>");
                bottom += value;
            }

            if (i % labelEvery == 0)
            {
                var lx = Left + (i * slot) + (slot / 2);
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{lx:0.#}\" y=\"{height - Bottom + 14}\" transform=\"rotate(-35 {lx:0.#} {height - Bottom + 14})\" text-anchor=\"end\" font-size=\"11\" fill=\"#555\">{Encode(categories[i])}</text>");
            }
        }

        SvgLegend.Append(svg, names, places, Palette);

        svg.Append("</svg></div>");
        return svg.ToString();
    }

    /// <summary>A round upper bound for the axis: 1, 2 or 5 times a power of ten.</summary>
    internal static double Nice(double max)
    {
        if (max <= 0)
        {
            return 1;
        }

        var power = Math.Pow(10, Math.Floor(Math.Log10(max)));
        foreach (var step in new[] { 1.0, 2.0, 5.0, 10.0 })
        {
            if (step * power >= max)
            {
                return step * power;
            }
        }

        return 10 * power;
    }

    private static string Number(double v) =>
        v >= 100 ? v.ToString("#,0", CultureInfo.InvariantCulture) : v.ToString("0.#", CultureInfo.InvariantCulture);

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}

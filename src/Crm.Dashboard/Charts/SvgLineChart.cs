using System.Globalization;
using System.Net;
using System.Text;

namespace Crm.Dashboard.Charts;

/// <summary>
/// A line chart with a dot per value as inline SVG, drawn on the server like <see cref="SvgBarChart"/>: no script, no
/// style sheet, so it shows under the dashboard's content security policy. Each dot carries a <c>&lt;title&gt;</c>
/// with its exact value and <c>data-series</c>/<c>data-value</c> attributes; a missing value (NaN) breaks the line.
/// </summary>
internal static class SvgLineChart
{
    private const int Width = 960;
    private const int PlotHeight = 208;
    private const int Left = 64;
    private const int Right = 16;
    private const int Bottom = 100;
    private const int MaxSlot = 60;

    private static readonly string[] Palette = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#999999"];

    /// <summary>
    /// Lines over <paramref name="categories"/> (left to right) between <paramref name="min"/> and <paramref name="max"/>
    /// on the value axis; each series has one value per category, NaN where it has none.
    /// </summary>
    public static string Lines(string id, string title, string unit, IReadOnlyList<string> categories, IReadOnlyList<(string Name, double[] Values)> series, double min, double max)
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

        var plotWidth = Width - Left - Right;
        var plotHeight = PlotHeight;
        double Y(double v) => top + plotHeight - ((Math.Clamp(v, min, max) - min) / (max - min) * plotHeight);
        // At most MaxSlot per category, from the left, as in SvgBarChart: one training stays at the left, on-screen on a phone.
        var slot = Math.Min((double)plotWidth / categories.Count, MaxSlot);
        double X(int i) => Left + (i * slot) + (slot / 2);

        for (var g = 0; g <= 5; g++)
        {
            var v = min + ((max - min) * g / 5);
            var y = Y(v);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{y:0.#}\" y2=\"{y:0.#}\" stroke=\"#ddd\" stroke-width=\"1\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{y + 4:0.#}\" text-anchor=\"end\" font-size=\"11\" fill=\"#555\">{v.ToString("0.##", CultureInfo.InvariantCulture)}</text>");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"12\" y=\"{top + plotHeight / 2}\" transform=\"rotate(-90 12 {top + plotHeight / 2})\" text-anchor=\"middle\" font-size=\"11\" fill=\"#555\">{Encode(unit)}</text>");
        var labelEvery = Math.Max(1, (int)Math.Ceiling(categories.Count / 12.0));
        for (var i = 0; i < categories.Count; i += labelEvery)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{X(i):0.#}\" y=\"{height - Bottom + 14}\" transform=\"rotate(-35 {X(i):0.#} {height - Bottom + 14})\" text-anchor=\"end\" font-size=\"11\" fill=\"#555\">{Encode(categories[i])}</text>");
        }

        for (var s = 0; s < series.Count; s++)
        {
            var colour = Palette[s % Palette.Length];
            var (name, values) = series[s];
            // Earlier series get larger dots, drawn first: two equal values show as a dot on a ring, not as one dot.
            var radius = 4 + (2 * Math.Min(3, series.Count - 1 - s));
            var path = new StringBuilder();
            var pen = false;
            for (var i = 0; i < values.Length; i++)
            {
                if (double.IsNaN(values[i]))
                {
                    pen = false;
                    continue;
                }

                path.Append(CultureInfo.InvariantCulture, $"{(pen ? 'L' : 'M')}{X(i):0.##} {Y(values[i]):0.##} ");
                pen = true;
            }

            if (path.Length > 0)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<path d=\"{path.ToString().TrimEnd()}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"/>");
            }

            for (var i = 0; i < values.Length; i++)
            {
                if (!double.IsNaN(values[i]))
                {
                    var value = values[i].ToString("0.####", CultureInfo.InvariantCulture);
                    svg.Append(CultureInfo.InvariantCulture,
                        $"<circle cx=\"{X(i):0.##}\" cy=\"{Y(values[i]):0.##}\" r=\"{radius}\" fill=\"{colour}\" data-category=\"{Encode(categories[i])}\" data-series=\"{Encode(name)}\" data-value=\"{value}\">"
                        + $"<title>{Encode(categories[i])} {Encode(name)}: {value}</title></circle>");
                }
            }
        }

        SvgLegend.Append(svg, names, places, Palette);

        svg.Append("</svg></div>");
        return svg.ToString();
    }

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}

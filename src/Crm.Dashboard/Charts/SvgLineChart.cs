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
    private const int Height = 320;
    private const int Left = 64;
    private const int Right = 16;
    private const int Top = 40;
    private const int Bottom = 72;

    private static readonly string[] Palette = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#999999"];

    /// <summary>
    /// Lines over <paramref name="categories"/> (left to right) between <paramref name="min"/> and <paramref name="max"/>
    /// on the value axis; each series has one value per category, NaN where it has none.
    /// </summary>
    public static string Lines(string id, string title, string unit, IReadOnlyList<string> categories, IReadOnlyList<(string Name, double[] Values)> series, double min, double max)
    {
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"{id}\" role=\"img\" viewBox=\"0 0 {Width} {Height}\" width=\"100%\" preserveAspectRatio=\"xMidYMid meet\" aria-label=\"{Encode(title)}\">");
        svg.Append(CultureInfo.InvariantCulture, $"<title>{Encode(title)}</title>");
        if (categories.Count == 0)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2}\" y=\"{Height / 2}\" text-anchor=\"middle\" font-size=\"14\" fill=\"#666\">nothing to show yet</text></svg>");
            return svg.ToString();
        }

        var plotWidth = Width - Left - Right;
        var plotHeight = Height - Top - Bottom;
        double Y(double v) => Top + plotHeight - ((Math.Clamp(v, min, max) - min) / (max - min) * plotHeight);
        var slot = (double)plotWidth / categories.Count;
        double X(int i) => Left + (i * slot) + (slot / 2);

        for (var g = 0; g <= 5; g++)
        {
            var v = min + ((max - min) * g / 5);
            var y = Y(v);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{y:0.#}\" y2=\"{y:0.#}\" stroke=\"#ddd\" stroke-width=\"1\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{y + 4:0.#}\" text-anchor=\"end\" font-size=\"11\" fill=\"#555\">{v.ToString("0.##", CultureInfo.InvariantCulture)}</text>");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"12\" y=\"{Top + plotHeight / 2}\" transform=\"rotate(-90 12 {Top + plotHeight / 2})\" text-anchor=\"middle\" font-size=\"11\" fill=\"#555\">{Encode(unit)}</text>");
        var labelEvery = Math.Max(1, (int)Math.Ceiling(categories.Count / 12.0));
        for (var i = 0; i < categories.Count; i += labelEvery)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{X(i):0.#}\" y=\"{Height - Bottom + 14}\" transform=\"rotate(-35 {X(i):0.#} {Height - Bottom + 14})\" text-anchor=\"end\" font-size=\"11\" fill=\"#555\">{Encode(categories[i])}</text>");
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

        var lx = Left;
        for (var s = 0; s < series.Count; s++)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{lx}\" y=\"12\" width=\"12\" height=\"12\" fill=\"{Palette[s % Palette.Length]}\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{lx + 16}\" y=\"22\" font-size=\"12\" fill=\"#333\">{Encode(series[s].Name)}</text>");
            lx += 24 + (series[s].Name.Length * 7);
        }

        svg.Append("</svg>");
        return svg.ToString();
    }

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}

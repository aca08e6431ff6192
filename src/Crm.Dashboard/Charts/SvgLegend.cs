using System.Globalization;
using System.Net;
using System.Text;

namespace Crm.Dashboard.Charts;

/// <summary>
/// The legend across the top of a chart, wrapped onto as many lines as its names need: a legend on one line ran past
/// the chart's right edge once a chart had more than about eight series (the loads chart with campaign sends), and the
/// last sources' names were cut off.
/// </summary>
internal static class SvgLegend
{
    private const int LineHeight = 18;
    private const int FirstBaseline = 22;

    /// <summary>
    /// Where each name's swatch goes (x, y of its top) when the legend starts at <paramref name="left"/> and may reach
    /// <paramref name="right"/>, and the y below which the plot may start.
    /// </summary>
    public static (IReadOnlyList<(int X, int Y)> Places, int Bottom) Layout(IReadOnlyList<string> names, int left, int right)
    {
        var places = new List<(int, int)>(names.Count);
        var x = left;
        var line = 0;
        foreach (var name in names)
        {
            var width = 24 + (name.Length * 7);
            if (x > left && x + width - 8 > right)
            {
                x = left;
                line++;
            }

            places.Add((x, FirstBaseline - 10 + (line * LineHeight)));
            x += width;
        }

        return (places, FirstBaseline + (line * LineHeight) + 18);
    }

    /// <summary>Writes the swatches and names at the places <see cref="Layout"/> gave.</summary>
    public static void Append(StringBuilder svg, IReadOnlyList<string> names, IReadOnlyList<(int X, int Y)> places, string[] palette)
    {
        for (var s = 0; s < names.Count; s++)
        {
            var (x, y) = places[s];
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x}\" y=\"{y}\" width=\"12\" height=\"12\" fill=\"{palette[s % palette.Length]}\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + 16}\" y=\"{y + 10}\" font-size=\"12\" fill=\"#333\">{WebUtility.HtmlEncode(names[s])}</text>");
        }
    }
}

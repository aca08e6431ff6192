using System.Globalization;
using System.Net;
using System.Text;

namespace Crm.Dashboard.Charts;

/// <summary>
/// A match-weight waterfall as inline SVG, drawn on the server (no script, so it shows under the
/// dashboard's content security policy): the prior, then one bar per field starting where the
/// previous ended, rightwards (green) for a field that pushed towards a match and leftwards (orange)
/// for one that pushed away, then the total. Each bar carries a <c>&lt;title&gt;</c> with its values.
/// </summary>
internal static class WaterfallSvg
{
    internal const int Width = 720;
    internal const int LabelWidth = 150;
    internal const int PlotWidth = Width - LabelWidth - 70;
    internal const int RowHeight = 20;

    /// <summary>One bar: a label, the weight it adds (bits) and a tooltip.</summary>
    internal sealed record Bar(string Label, double Weight, string Detail);

    /// <summary>The waterfall of <paramref name="bars"/> after <paramref name="prior"/>; <paramref name="id"/> names the element.</summary>
    public static string Render(string id, double prior, IReadOnlyList<Bar> bars)
    {
        var c = CultureInfo.InvariantCulture;
        var rows = new List<(string Label, double From, double To, string Detail, string Colour)> { ("prior", 0, prior, "log2(λ/(1−λ))", "#999999") };
        var sum = prior;
        foreach (var bar in bars)
        {
            rows.Add((bar.Label, sum, sum + bar.Weight, bar.Detail, bar.Weight >= 0 ? "#009E73" : "#D55E00"));
            sum += bar.Weight;
        }

        rows.Add(("match weight", 0, sum, string.Create(c, $"probability {1 / (1 + Math.Pow(2, -sum)):F4}"), "#0072B2"));
        var lo = Math.Min(0, rows.Min(r => Math.Min(r.From, r.To)));
        var hi = Math.Max(0, rows.Max(r => Math.Max(r.From, r.To)));
        var span = hi - lo == 0 ? 1 : hi - lo;
        double X(double v) => LabelWidth + ((v - lo) / span * PlotWidth);

        var height = (rows.Count * RowHeight) + 10;
        var svg = new StringBuilder();
        svg.Append(c, $"<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"{Encode(id)}\" class=\"crm-waterfall\" role=\"img\" viewBox=\"0 0 {Width} {height}\" width=\"100%\" preserveAspectRatio=\"xMinYMin meet\" aria-label=\"match-weight waterfall\">");
        svg.Append(c, $"<line x1=\"{X(0):F1}\" y1=\"0\" x2=\"{X(0):F1}\" y2=\"{height}\" stroke=\"#bbb\"/>");
        for (var i = 0; i < rows.Count; i++)
        {
            var (label, from, to, detail, colour) = rows[i];
            var y = (i * RowHeight) + 4;
            var x = Math.Min(X(from), X(to));
            var w = Math.Max(Math.Abs(X(to) - X(from)), 1);
            svg.Append(c, $"<text x=\"{LabelWidth - 6}\" y=\"{y + 13}\" text-anchor=\"end\" font-size=\"12\">{Encode(label)}</text>");
            svg.Append(c, $"<rect data-field=\"{Encode(label)}\" data-weight=\"{to - from:F2}\" x=\"{x:F1}\" y=\"{y}\" width=\"{w:F1}\" height=\"{RowHeight - 6}\" fill=\"{colour}\"><title>{Encode(label)}: {to - from:+0.00;-0.00} ({Encode(detail)})</title></rect>");
            svg.Append(c, $"<text x=\"{Math.Max(X(from), X(to)) + 4:F1}\" y=\"{y + 13}\" font-size=\"11\" fill=\"#333\">{to - from:+0.00;-0.00}</text>");
        }

        svg.Append("</svg>");
        return svg.ToString();
    }

    private static string Encode(string s) => WebUtility.HtmlEncode(s);
}

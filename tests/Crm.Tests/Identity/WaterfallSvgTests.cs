using System.Globalization;
using System.Xml.Linq;
using Crm.Dashboard.Charts;

namespace Crm.Tests.Identity;

/// <summary>The Identity page's match-weight waterfall (issue 24): bars start where the previous ended, in SVG the CSP allows.</summary>
public sealed class WaterfallSvgTests
{
    [Fact]
    public void Bars_StartWhereThePreviousEnded_AndTheTotalIsTheirSum()
    {
        // prior -2, given +6, date of birth -4, postcode +8 → total 8; range 0..8 over the plot width.
        var svg = WaterfallSvg.Render("w", -2, [new("given", 6, "exact"), new("date_of_birth", -4, "different"), new("postcode", 8, "exact")]);

        var rects = XDocument.Parse(svg).Descendants().Where(e => e.Name.LocalName == "rect").ToList();
        double Attr(XElement e, string name) => double.Parse(e.Attribute(name)!.Value, CultureInfo.InvariantCulture);
        Assert.Equal(["prior", "given", "date_of_birth", "postcode", "match weight"], rects.Select(r => r.Attribute("data-field")!.Value));
        Assert.Equal([-2, 6, -4, 8, 8], rects.Select(r => Attr(r, "data-weight")));

        // Cumulative range −2..8 (10 bits): given runs from −2 to 4, so it starts at the left edge.
        const double scale = WaterfallSvg.PlotWidth / 10.0;
        Assert.Equal(WaterfallSvg.LabelWidth, Attr(rects[1], "x"), 1);
        Assert.Equal(6 * scale, Attr(rects[1], "width"), 1);
        Assert.Equal(WaterfallSvg.LabelWidth + (0 - -2) * scale, Attr(rects[2], "x"), 1); // date of birth from 4 back to 0
        Assert.Equal("#D55E00", rects[2].Attribute("fill")!.Value);
        Assert.DoesNotContain("<script", svg, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("style=", svg, StringComparison.OrdinalIgnoreCase);
    }
}

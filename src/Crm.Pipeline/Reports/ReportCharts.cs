using System.Globalization;
using ScottPlot;

namespace Crm.Pipeline.Reports;

/// <summary>A chart image attached inline to the email and referenced by Content-ID.</summary>
/// <param name="ContentId">The Content-ID (without angle brackets) the HTML references as <c>cid:…</c>.</param>
/// <param name="Png">PNG bytes.</param>
/// <param name="Alt">Alternative text.</param>
/// <param name="Width">Display width in CSS pixels.</param>
/// <param name="Height">Display height in CSS pixels.</param>
internal sealed record ChartImage(string ContentId, byte[] Png, string Alt, int Width, int Height);

/// <summary>
/// Draws the report's charts with ScottPlot as fixed-size PNGs (600 px wide, drawn at twice the
/// resolution so they stay sharp on phones and retina screens). Text inside the charts is limited
/// to numbers, dates and data values so it renders without CJK fonts; titles and legends live in the HTML.
/// </summary>
internal static class ReportCharts
{
    public const int Width = 600;
    public const int Height = 240;
    private const int Scale = 2;

    public static readonly Color Primary = Color.FromHex("#2563EB");
    public static readonly Color Muted = Color.FromHex("#94A3B8");
    public static readonly Color Danger = Color.FromHex("#DC2626");
    public static readonly Color Warning = Color.FromHex("#F59E0B");
    public static readonly Color Calm = Color.FromHex("#10B981");
    private static readonly Color[] Palette =
        [Color.FromHex("#2563EB"), Color.FromHex("#10B981"), Color.FromHex("#F59E0B"), Color.FromHex("#8B5CF6"), Color.FromHex("#EC4899"),
         Color.FromHex("#14B8A6"), Color.FromHex("#F97316"), Color.FromHex("#64748B")];

    public static IReadOnlyList<ChartImage> Draw(ReportData data, ReportLabels labels, string currency, string idSuffix)
    {
        return
        [
            new ChartImage("revenue-trend." + idSuffix, RevenueTrend(data, currency, labels.Culture), labels["trend_revenue"], Width, Height),
            new ChartImage("churn-trend." + idSuffix, ChurnTrend(data, labels.Culture), labels["trend_churn"], Width, Height),
            new ChartImage("segment-mix." + idSuffix, SegmentMix(data), labels["segment_mix"], Width, Height),
            new ChartImage("at-risk." + idSuffix, AtRiskValue(data, currency), labels["at_risk_value"], Width, 200),
        ];
    }

    /// <summary>
    /// A trend bucket in the recipient's language, as the plain-text table shows it: "Mar 26" and "Mar 9" in English,
    /// the culture's own year-month and month-day patterns otherwise (2026年3月, 3月9日).
    /// </summary>
    internal static string BucketLabel(TrendPoint p, string cadence, CultureInfo culture)
    {
        if (culture.TwoLetterISOLanguageName == "en")
        {
            return ChartBucketLabel(p, cadence, culture);
        }

        var pattern = cadence == "monthly" ? culture.DateTimeFormat.YearMonthPattern : culture.DateTimeFormat.MonthDayPattern;
        return p.Start.ToString(pattern, culture);
    }

    /// <summary>
    /// A trend bucket under a chart's bar: English month names for English, else digits only (2026-03, 03-09),
    /// which every chart font draws, where a month name in another script might not be.
    /// </summary>
    internal static string ChartBucketLabel(TrendPoint p, string cadence, CultureInfo culture) => culture.TwoLetterISOLanguageName == "en"
        ? p.Start.ToString(cadence == "monthly" ? "MMM yy" : "MMM d", CultureInfo.InvariantCulture)
        : p.Start.ToString(cadence == "monthly" ? "yyyy-MM" : "MM-dd", CultureInfo.InvariantCulture);

    private static byte[] RevenueTrend(ReportData data, string currency, CultureInfo culture)
    {
        var plot = NewPlot();
        var n = data.Trend.Count;
        var bars = new List<Bar>(n);
        for (var i = 0; i < n; i++)
        {
            bars.Add(new Bar
            {
                Position = i,
                Value = (double)data.Trend[i].Current.Revenue,
                FillColor = i == n - 1 ? Primary : Primary.WithAlpha(0.45),
                LineWidth = 0,
            });
        }

        plot.Add.Bars(bars);
        // The year-before line starts where the warehouse has history; zeros before the first order are "no data".
        var (xsYb, ysYb) = Points(data.Trend.Select(t => t.YearBefore.Orders == 0 && t.YearBefore.CustomersAtStart == 0 ? (double?)null : (double)t.YearBefore.Revenue), leadingOnly: true);
        var line = plot.Add.Scatter(xsYb, ysYb);
        line.Color = Muted;
        line.LineWidth = 2;
        line.MarkerSize = 4;
        line.LinePattern = LinePattern.Dashed;
        SetCategoryTicks(plot, data.Trend.Select(t => ChartBucketLabel(t, data.Period.Cadence, culture)).ToArray());
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { LabelFormatter = v => Money(v, currency) };
        plot.Axes.Margins(bottom: 0);
        return Png(plot, Height);
    }

    private static byte[] ChurnTrend(ReportData data, CultureInfo culture)
    {
        var plot = NewPlot();
        var n = data.Trend.Count;
        var (xsYb, ysYb) = Points(data.Trend.Select(t => t.YearBefore.ChurnRate * 100), leadingOnly: false);
        var last = plot.Add.Scatter(xsYb, ysYb);
        last.Color = Muted;
        last.LineWidth = 2;
        last.MarkerSize = 4;
        last.LinePattern = LinePattern.Dashed;
        var (xs, ys) = Points(data.Trend.Select(t => t.Current.ChurnRate * 100), leadingOnly: false);
        var now = plot.Add.Scatter(xs, ys);
        now.Color = Danger;
        now.LineWidth = 3;
        now.MarkerSize = 7;
        SetCategoryTicks(plot, data.Trend.Select(t => ChartBucketLabel(t, data.Period.Cadence, culture)).ToArray());
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { LabelFormatter = v => v.ToString("0.#", CultureInfo.InvariantCulture) + "%" };
        plot.Axes.SetLimits(-0.5, n - 0.5, 0, Math.Max(1, data.Trend.Max(t => Math.Max(t.Current.ChurnRate ?? 0, t.YearBefore.ChurnRate ?? 0)) * 100 * 1.15));
        return Png(plot, Height);
    }

    private static byte[] SegmentMix(ReportData data)
    {
        var rows = data.Segments.Take(8).Reverse().ToList();
        return HorizontalBars(
            rows.Select((r, i) => (Ascii(r.Segment == ReportNotes.Unsegmented ? "not yet segmented" : r.Segment), (double)r.Customers, Palette[(rows.Count - 1 - i) % Palette.Length],
                r.Customers.ToString("N0", CultureInfo.InvariantCulture))).ToList(),
            rightMargin: 0.15, Height);
    }

    private static byte[] AtRiskValue(ReportData data, string currency)
    {
        var rows = data.RiskBands.Reverse().ToList();
        return HorizontalBars(
            rows.Select(r => (Ascii(r.Band), r.ValueAtRisk, r.Band switch { "high" => Danger, "medium" => Warning, _ => Calm },
                Money(r.ValueAtRisk, currency) + "  (" + r.Customers.ToString("N0", CultureInfo.InvariantCulture) + ")")).ToList(),
            rightMargin: 0.4, 200);
    }

    /// <summary>One labelled horizontal bar per row, bottom to top, value labels beside the bars, no axes.</summary>
    private static byte[] HorizontalBars(IReadOnlyList<(string Tick, double Value, Color Fill, string ValueLabel)> rows, double rightMargin, int height)
    {
        var plot = NewPlot();
        var plotBars = plot.Add.Bars(rows.Select((r, i) => new Bar
        {
            Position = i,
            Value = r.Value,
            FillColor = r.Fill,
            LineWidth = 0,
            Label = r.ValueLabel,
            Orientation = Orientation.Horizontal,
        }).ToList());
        plotBars.Horizontal = true;
        plotBars.ValueLabelStyle.FontSize = 13;
        plotBars.ValueLabelStyle.Bold = true;
        plot.Axes.Left.SetTicks(Enumerable.Range(0, rows.Count).Select(i => (double)i).ToArray(), rows.Select(r => r.Tick).ToArray());
        plot.Axes.Left.MajorTickStyle.Length = 0;
        plot.Axes.Margins(left: 0, right: rightMargin);
        plot.Grid.YAxisStyle.IsVisible = false;
        plot.Grid.XAxisStyle.IsVisible = false;
        plot.Axes.Bottom.IsVisible = false;
        if (rows.Count == 0)
        {
            plot.Axes.SetLimits(0, 1, 0, 1);
        }

        return Png(plot, height);
    }

    private static Plot NewPlot()
    {
        var plot = new Plot();
        plot.Font.Set("DejaVu Sans");
        plot.FigureBackground.Color = Colors.White;
        plot.DataBackground.Color = Colors.White;
        plot.Axes.Frame(false);
        plot.Axes.Left.FrameLineStyle.Width = 0;
        plot.Axes.Left.MinorTickStyle.Length = 0;
        plot.Axes.Left.MajorTickStyle.Length = 0;
        plot.Axes.Bottom.FrameLineStyle.Color = Color.FromHex("#CBD5E1");
        plot.Grid.MajorLineColor = Color.FromHex("#E2E8F0");
        plot.Grid.XAxisStyle.IsVisible = false;
        plot.Axes.Left.TickLabelStyle.FontSize = 12;
        plot.Axes.Bottom.TickLabelStyle.FontSize = 12;
        plot.Axes.Left.TickLabelStyle.ForeColor = Color.FromHex("#475569");
        plot.Axes.Bottom.TickLabelStyle.ForeColor = Color.FromHex("#475569");
        plot.ScaleFactor = Scale;
        return plot;
    }

    /// <summary>Index/value pairs of the points that have a value (all nulls, or only leading ones, left out).</summary>
    private static (double[] Xs, double[] Ys) Points(IEnumerable<double?> values, bool leadingOnly)
    {
        var xs = new List<double>();
        var ys = new List<double>();
        var started = false;
        var i = 0;
        foreach (var v in values)
        {
            started |= v is not null;
            if (v is not null || (started && leadingOnly))
            {
                xs.Add(i);
                ys.Add(v ?? 0);
            }

            i++;
        }

        return (xs.ToArray(), ys.ToArray());
    }

    private static void SetCategoryTicks(Plot plot, string[] labels)
    {
        // With many buckets every other label keeps the axis readable at 600 px.
        var step = labels.Length > 8 ? 2 : 1;
        var positions = new List<double>();
        var texts = new List<string>();
        for (var i = labels.Length - 1; i >= 0; i -= step)
        {
            positions.Add(i);
            texts.Add(labels[i]);
        }

        plot.Axes.Bottom.SetTicks(positions.ToArray(), texts.ToArray());
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
    }

    private static byte[] Png(Plot plot, int height) => plot.GetImageBytes(Width * Scale, height * Scale, ImageFormat.Png);

    internal static string Money(double v, string currency)
    {
        var a = Math.Abs(v);
        var text = a >= 1_000_000 ? (a / 1_000_000).ToString("0.#", CultureInfo.InvariantCulture) + "M"
            : a >= 10_000 ? (a / 1_000).ToString("0", CultureInfo.InvariantCulture) + "k"
            : a >= 1_000 ? (a / 1_000).ToString("0.#", CultureInfo.InvariantCulture) + "k"
            : a.ToString("0", CultureInfo.InvariantCulture);
        return (v < 0 ? "-" : "") + Ascii(currency) + text;
    }

    /// <summary>Keeps chart text to characters the bundled fonts have.</summary>
    private static string Ascii(string s)
    {
        var ok = s.All(c => c < 0x2000);
        return ok ? s : new string(s.Select(c => c < 0x2000 ? c : '?').ToArray());
    }
}

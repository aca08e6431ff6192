using System.Globalization;

namespace Crm.Pipeline.Reports;

/// <summary>How figures and their changes are written, in the recipient's language.</summary>
internal sealed class ReportFormat
{
    private readonly ReportLabels _labels;
    private readonly string _currency;

    public ReportFormat(ReportLabels labels, string currency)
    {
        _labels = labels;
        _currency = currency;
    }

    public CultureInfo Culture => _labels.Culture;

    public string Money(decimal? v) => v is null ? _labels["none"] : _currency + v.Value.ToString("N0", Culture);

    public string Money2(decimal? v) => v is null ? _labels["none"] : _currency + v.Value.ToString("N2", Culture);

    public string MoneyD(double? v) => v is null ? _labels["none"] : _currency + v.Value.ToString("N0", Culture);

    public string Count(long v) => v.ToString("N0", Culture);

    public string Percent(double? v) => v is null ? _labels["none"] : (v.Value * 100).ToString("0.0", Culture) + "%";

    public string Date(DateTimeOffset? v) => v is null ? _labels["none"] : v.Value.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public string Period(ReportPeriod p)
    {
        if (p.Cadence == "monthly")
        {
            return p.Start.ToString(_labels.Language == "zh" ? "yyyy年M月" : "MMMM yyyy", Culture);
        }

        var last = p.End.AddDays(-1);
        return last == p.Start
            ? p.Start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : $"{p.Start:yyyy-MM-dd} {_labels["through"]} {last:yyyy-MM-dd}";
    }

    /// <summary>A change between two values: relative for amounts and counts, in points for rates.</summary>
    /// <param name="current">This period.</param>
    /// <param name="before">The period compared with.</param>
    /// <param name="isRate">Rates change in percentage points.</param>
    /// <param name="upIsGood">Whether a rise is good news (false for churn).</param>
    public Change Delta(double? current, double? before, bool isRate, bool upIsGood)
    {
        if (current is null || before is null)
        {
            return new Change(_labels["none"], 0);
        }

        double diff;
        string text;
        if (isRate)
        {
            diff = (current.Value - before.Value) * 100;
            text = diff.ToString("+0.0;-0.0;0.0", Culture) + " pp";
        }
        else if (before.Value == 0)
        {
            return current.Value == 0 ? new Change(_labels["no_change"], 0) : new Change(_labels["new"], upIsGood ? 1 : -1);
        }
        else
        {
            diff = (current.Value - before.Value) / Math.Abs(before.Value) * 100;
            text = diff.ToString("+0.0;-0.0;0.0", Culture) + "%";
        }

        if (Math.Abs(diff) < 0.05)
        {
            return new Change(_labels["no_change"], 0);
        }

        var arrow = diff > 0 ? "▲ " : "▼ ";
        return new Change(arrow + text, (diff > 0) == upIsGood ? 1 : -1);
    }
}

/// <summary>A formatted change and whether it is good (1), bad (-1) or neutral (0) news.</summary>
internal readonly record struct Change(string Text, int Tone);

/// <summary>One line of the headline table.</summary>
internal sealed record MetricLine(string Key, string Value, Change VsPrevious, Change VsYearBefore)
{
    public static IReadOnlyList<MetricLine> Build(ReportData d, ReportFormat f)
    {
        MetricLine M(string key, string value, Func<Kpis, double?> get, bool isRate = false, bool upIsGood = true) =>
            new(key, value, f.Delta(get(d.Current), get(d.Previous), isRate, upIsGood), f.Delta(get(d.Current), get(d.YearBefore), isRate, upIsGood));

        return
        [
            M("revenue", f.Money(d.Current.Revenue), k => (double)k.Revenue),
            M("orders", f.Count(d.Current.Orders), k => k.Orders),
            M("aov", f.Money2(d.Current.AverageOrderValue), k => (double?)k.AverageOrderValue),
            M("active_customers", f.Count(d.Current.ActiveCustomers), k => k.ActiveCustomers),
            M("new_customers", f.Count(d.Current.NewCustomers), k => k.NewCustomers),
            M("churned", f.Count(d.Current.Churned), k => k.Churned, upIsGood: false),
            M("churn_rate", f.Percent(d.Current.ChurnRate), k => k.ChurnRate, isRate: true, upIsGood: false),
            M("retention", f.Percent(d.Current.Retention), k => k.Retention, isRate: true),
            M("clv_active", f.MoneyD(d.Current.ClvActive), k => k.ClvActive),
        ];
    }
}

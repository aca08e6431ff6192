using System.Globalization;

namespace Crm.Pipeline.Reports;

/// <summary>
/// The sentences the HTML and the plain-text report share beside their figures: how amounts are converted,
/// why a section has nothing to show and what to do about it, and what the churn model is worth.
/// </summary>
internal static class ReportNotes
{
    /// <summary>Segment name of active customers that no segment stage run has placed yet (from report_segments.sql).</summary>
    public const string Unsegmented = "(unsegmented)";

    /// <summary>A segment's name in the recipient's language (segment names themselves come from the segment stage).</summary>
    public static string Segment(string name, ReportLabels labels) =>
        name == Unsegmented ? labels["unsegmented"] : labels.Has("segment_" + name) ? labels["segment_" + name] : name;

    /// <summary>A churn risk band (high, medium, low from the score stage) in the recipient's language.</summary>
    public static string Band(string band, ReportLabels labels) =>
        labels.Has("band_" + band) ? labels["band_" + band] : band;

    /// <summary>The recommended action for a segment (RFM names of the segment stage; others get a generic one).</summary>
    public static string Action(string segment, ReportLabels labels)
    {
        if (segment == Unsegmented)
        {
            return labels["action_unsegmented"];
        }

        return labels.Has("action_" + segment) ? labels["action_" + segment] : labels["action_other"];
    }

    /// <summary>A data source (an ingest ledger source such as campaign_sends) in words; unknown ones with spaces, so they can wrap.</summary>
    public static string Source(string name, ReportLabels labels) =>
        labels.Has("source_" + name) ? labels["source_" + name] : name.Replace('_', ' ');

    /// <summary>The day of a customer's last mail with us, or that there was none.</summary>
    public static string LastContact(DateTimeOffset? at, ReportLabels labels, ReportFormat f) => at is null ? labels["no_mail"] : f.Date(at);

    /// <summary>A rise in churn probability in percentage points, e.g. "+12.5 pts".</summary>
    public static string RisePoints(double rise, ReportLabels labels) =>
        labels.Format("rise_points", (rise * 100).ToString("0.0", labels.Culture));

    /// <summary>The won-back sentence of the highlights.</summary>
    public static string WonBack(ReportData data, ReportLabels labels, ReportFormat f) =>
        data.WonBack.Customers > 0
            ? labels.Format("highlight_won_back", f.Count(data.WonBack.Customers), data.ChurnAfterDays, f.Money(data.WonBack.Revenue))
            : labels.Format("highlight_none_won_back", data.ChurnAfterDays);

    /// <summary>How amounts were converted or added up; null when every order is in one currency.</summary>
    public static IReadOnlyList<string> Currency(ReportData data, ReportLabels labels)
    {
        var lines = new List<string>();
        if (data.DisplayCurrency is { } target)
        {
            if (data.RatesUsed.Count > 0)
            {
                var rates = string.Join(", ", data.RatesUsed.Select(r => string.Create(labels.Culture, $"1 {target} = {r.Rate:0.####} {r.Code}")));
                lines.Add(labels.Format("currency_converted", target, string.Join(", ", data.RatesUsed.Select(r => r.Code)), rates));
            }

            if (data.Unconverted.Count > 0)
            {
                lines.Add(labels.Format("currency_unconverted", string.Join(", ", data.Unconverted)));
            }
        }
        else if (data.Currencies.Count > 1)
        {
            lines.Add(labels.Format("currency_mixed", string.Join(", ", data.Currencies)));
        }

        return lines;
    }

    /// <summary>Why the at-risk table is empty and what to do.</summary>
    public static string NoneAtRisk(ReportData data, ReportLabels labels, ReportFormat f) => labels.Format("none_at_risk", f.Date(data.GeneratedAt));

    /// <summary>Why the CLV of the active base is missing and what to do; null when it is there.</summary>
    public static string? ClvMissing(ReportData data, ReportLabels labels, ReportFormat f) =>
        data.Current.ClvActive is null ? labels.Format("clv_none", f.Date(data.GeneratedAt)) : null;

    /// <summary>What the data-health columns count, and up to when.</summary>
    public static string DataHealth(ReportData data, ReportLabels labels) =>
        labels.Format("data_health_note", data.Period.End.AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));

    /// <summary>The age of a source's newest record at the period's end.</summary>
    public static string Age(DateTimeOffset? latest, DateTimeOffset periodEnd, ReportLabels labels)
    {
        if (latest is null)
        {
            return labels["no_records"];
        }

        var age = periodEnd - latest.Value;
        return age.TotalHours < 48
            ? labels.Format("age_hours", Math.Max(0, (int)age.TotalHours))
            : labels.Format("age_days", (int)age.TotalDays);
    }

    /// <summary>The model-health lines: champion and AUC, since when, AUC trend, what it learnt from, staleness.</summary>
    public static IReadOnlyList<string> Model(ReportData data, ReportLabels labels, ReportFormat f) => ModelLines(data, labels, f).Select(l => l.Text).ToList();

    /// <summary>The model-health lines, each with whether it is a warning.</summary>
    public static IReadOnlyList<(string Text, bool Warning)> ModelLines(ReportData data, ReportLabels labels, ReportFormat f)
    {
        if (data.Model is not { } m)
        {
            return [(labels["no_model"], true)];
        }

        var lines = new List<(string, bool)>
        {
            (labels.Format("champion", m.Version, m.Trainer, m.Auc?.ToString("0.000", CultureInfo.InvariantCulture) ?? labels["none"]), false),
        };
        // A champion promoted after the report's "now" (a report of a past period) has no "since" worth showing.
        if (m.Since <= data.GeneratedAt)
        {
            lines.Add((labels.Format("champion_since", f.Date(m.Since)), false));
        }

        if (m.AucTrend.Count > 1)
        {
            lines.Add((labels.Format("auc_trend", string.Join(", ", m.AucTrend.Select(t => t.Cutoff.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + " " + t.Auc.ToString("0.000", CultureInfo.InvariantCulture)))), false));
        }

        if (m.TrainedThrough is { } through)
        {
            lines.Add((labels.Format("trained_through", m.AucTrend[^1].Cutoff.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), m.HorizonDays), false));
            var lag = data.Period.End.DayNumber - through.DayNumber;
            if (lag > StaleAfterDays)
            {
                lines.Add((labels.Format("stale_model", through.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), lag), true));
            }
        }

        if (m.PreviousVersion is not null)
        {
            lines.Add((labels.Format("champion_change", m.PreviousVersion, m.PreviousAuc?.ToString("0.000", CultureInfo.InvariantCulture) ?? labels["none"]), false));
        }

        return lines;
    }

    /// <summary>Days between the end of the champion's data and the period's end after which the report calls it stale.</summary>
    public const int StaleAfterDays = 60;
}

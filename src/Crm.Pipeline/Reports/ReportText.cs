using System.Globalization;
using System.Text;

namespace Crm.Pipeline.Reports;

/// <summary>The plain-text alternative of the report: the same figures, for clients that show no HTML.</summary>
internal static class ReportText
{
    public static string Render(ReportData data, ReportLabels labels, ReportFormat f, string footerKey)
    {
        var L = labels;
        var scope = ReportHtml.ScopeText(data.Recipient.Scope, L);
        var sb = new StringBuilder(8 * 1024);
        var title = $"{L["cadence_" + data.Period.Cadence]} {L["title"].ToLower(f.Culture)} · {scope}";
        sb.AppendLine(title).AppendLine(f.Period(data.Period)).AppendLine(new string('=', 60)).AppendLine();
        sb.AppendLine(L.Format("greeting", data.Recipient.Name));
        sb.AppendLine(L.Format("intro", scope, data.Period.Start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            data.Period.End.AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
        sb.AppendLine();

        var metricLines = MetricLine.Build(data, f);
        Heading(sb, L["highlights"]);
        foreach (var line in ReportHtml.Highlights(data, L, f, metricLines))
        {
            sb.Append("* ").AppendLine(line);
        }

        sb.AppendLine();
        Heading(sb, L["headline"]);
        var rows = MetricLine.Build(data, f).Select(m => new[] { L[m.Key], m.Value, m.VsPrevious.Text, m.VsYearBefore.Text }).ToList();
        Grid(sb, [L["metric"], L["this_period"], L["vs_previous"], L["vs_year_before"]], rows);
        sb.AppendLine(L.Format("definitions", data.ChurnAfterDays));
        if (ReportNotes.ClvMissing(data, L, f) is { } clvMissing)
        {
            sb.AppendLine(clvMissing);
        }

        foreach (var line in ReportNotes.Currency(data, L))
        {
            sb.AppendLine(line);
        }

        sb.AppendLine();

        Heading(sb, L["trend_revenue"] + " / " + L["trend_churn"]);
        Grid(sb, ["", L["revenue"], L["year_before"], L["churn_rate"]],
            data.Trend.Select(t => new[] { ReportCharts.BucketLabel(t, data.Period.Cadence, f.Culture), f.Money(t.Current.Revenue), f.Money(t.YearBefore.Revenue), f.Percent(t.Current.ChurnRate) }).ToList());

        Heading(sb, L["segment_mix"]);
        Grid(sb, [L["segment"], L["customers"], L["revenue"]], data.Segments.Select(s => new[] { ReportNotes.Segment(s.Segment, L), f.Count(s.Customers), f.Money(s.Revenue) }).ToList());

        Heading(sb, L["at_risk_title"]);
        sb.AppendLine(L["at_risk_intro"]);
        if (data.AtRisk.Count == 0)
        {
            sb.AppendLine(ReportNotes.NoneAtRisk(data, L, f));
        }
        else
        {
            Grid(sb, [L["customer"], L["probability"], L["risk_band"], L["clv"], L["value_at_risk"], L["last_order"], L["last_contact"]],
                data.AtRisk.Select(r => new[] { r.Name, f.Percent(r.Probability), ReportNotes.Band(r.RiskBand, L), f.MoneyD(r.Clv), f.MoneyD(r.ValueAtRisk), f.Date(r.LastOrder), ReportNotes.LastContact(r.LastContact, L, f) }).ToList());
            foreach (var r in data.AtRisk.Where(r => r.Drivers.Count > 0))
            {
                sb.Append("  ").Append(r.Name).Append(": ").AppendLine(string.Join("; ", DriverWords.Sentences(r.Facts, r.Drivers, r.ScoredAt, L, f, 3)));
            }

            sb.AppendLine(L.Format("action", f.MoneyD(data.AtRisk.Sum(r => r.ValueAtRisk))));
        }

        sb.AppendLine();
        Heading(sb, L["risers_title"]);
        if (data.RiskRisers.Count == 0)
        {
            sb.AppendLine(L.Format("no_risers", f.Date(data.PreviousReportAt)));
        }
        else
        {
            sb.AppendLine(L.Format("risers_intro", f.Date(data.PreviousReportAt)));
            Grid(sb, [L["customer"], L["risk_then"], L["risk_now"], L["risk_rise"]],
                data.RiskRisers.Select(r => new[] { r.Name, f.Percent(r.PreviousProbability), f.Percent(r.Probability), ReportNotes.RisePoints(r.Rise, L) }).ToList());
        }
        sb.AppendLine();
        Heading(sb, L["actions_title"]);
        if (data.SegmentStakes.Count == 0)
        {
            sb.AppendLine(L.Format("no_actions", f.Date(data.GeneratedAt)));
        }
        else
        {
            sb.AppendLine(L["actions_intro"]);
            Grid(sb, [L["segment"], L["customers"], L["value_at_stake"]],
                data.SegmentStakes.Select(a => new[] { ReportNotes.Segment(a.Segment, L), f.Count(a.Customers), f.MoneyD(a.ValueAtStake) }).ToList());
            foreach (var a in data.SegmentStakes)
            {
                sb.Append("  ").Append(ReportNotes.Segment(a.Segment, L)).Append(": ").AppendLine(ReportNotes.Action(a.Segment, L));
            }
        }

        sb.AppendLine();
        Heading(sb, L["data_health"]);
        if (data.Sources.Count == 0)
        {
            sb.AppendLine(L["no_sources"]);
        }
        else
        {
            Grid(sb, [L["source"], L["rows_loaded"], L["recent"], L["quarantined"], L["duplicates"], L["freshness"]],
                data.Sources.Select(s => new[] { ReportNotes.Source(s.Source, L), f.Count(s.RowsLoaded), f.Count(s.InPeriod), f.Count(s.Quarantined), f.Count(s.Duplicates), ReportNotes.Age(s.LatestRecord, data.PeriodEndUtc, L) }).ToList());
            sb.AppendLine(ReportNotes.DataHealth(data, L));
        }

        sb.AppendLine(data.FailedJobs.Count == 0 ? L["no_failed_jobs"] : L["failed_jobs"] + ":");
        foreach (var j in data.FailedJobs)
        {
            sb.Append("  ").Append(j.Stage).Append(" x").Append(j.Failures).Append(' ').Append(f.Date(j.LastFailed)).Append(' ').AppendLine(j.LastError);
        }

        sb.AppendLine();
        Heading(sb, L["model_health"]);
        foreach (var line in ReportNotes.Model(data, L, f))
        {
            sb.AppendLine(line);
        }

        sb.AppendLine().AppendLine("--").AppendLine(L.Format("footer", data.GeneratedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture), footerKey, data.Period.Key));
        return sb.ToString();
    }

    private static void Heading(StringBuilder sb, string title) => sb.AppendLine(title).AppendLine(new string('-', Math.Max(8, Width(title))));

    /// <summary>
    /// The columns a string takes in a monospaced mail client: a CJK character takes two, a combining mark none.
    /// Padding by <see cref="string.Length"/> misaligns every Chinese table, so the grid pads by this instead.
    /// </summary>
    internal static int Width(string text)
    {
        var width = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            width += Math.Max(0, Wcwidth.UnicodeCalculator.GetWidth(rune.Value));
        }

        return width;
    }

    private static string Pad(string text, int width, bool left)
    {
        var fill = new string(' ', Math.Max(0, width - Width(text)));
        return left ? fill + text : text + fill;
    }

    internal static void Grid(StringBuilder sb, string[] header, List<string[]> rows)
    {
        var widths = header.Select((h, i) => Math.Max(Width(h), rows.Count == 0 ? 0 : rows.Max(r => Width(r[i])))).ToArray();
        void Row(string[] cells)
        {
            for (var i = 0; i < cells.Length; i++)
            {
                sb.Append(Pad(cells[i], widths[i], left: i != 0));
                sb.Append(i == cells.Length - 1 ? "" : "  ");
            }

            sb.AppendLine();
        }

        Row(header);
        foreach (var r in rows)
        {
            Row(r);
        }

        sb.AppendLine();
    }
}

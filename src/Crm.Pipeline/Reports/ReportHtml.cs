using System.Globalization;
using System.Net;
using System.Text;

namespace Crm.Pipeline.Reports;

/// <summary>
/// Writes the report as email-safe HTML: nested presentation tables, inline CSS, fixed-width images
/// (600 px) that shrink on phones, no scripts, an Outlook (MSO) wrapper with a fixed width, and only
/// a small media query in the head for phones (clients that drop it still get a readable layout).
/// </summary>
internal static class ReportHtml
{
    private const string Font = "font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,'PingFang SC','Microsoft YaHei',sans-serif;";
    private const string Ink = "#0F172A";
    private const string Soft = "#64748B";
    private const string Line = "#E2E8F0";

    /// <param name="data">The figures.</param>
    /// <param name="labels">The recipient's labels.</param>
    /// <param name="format">Number formats.</param>
    /// <param name="charts">The charts, in the order ReportCharts draws them.</param>
    /// <param name="imageSource">Maps a chart to its <c>src</c>: <c>cid:…</c> in the email, a data URI in the outbox copy.</param>
    /// <param name="footerKey">Report name and period key for the footer.</param>
    public static string Render(ReportData data, ReportLabels labels, ReportFormat format, IReadOnlyList<ChartImage> charts, Func<ChartImage, string> imageSource, string footerKey)
    {
        var f = format;
        var L = labels;
        var scope = ScopeText(data.Recipient.Scope, L);
        var metrics = MetricLine.Build(data, f);
        var sb = new StringBuilder(64 * 1024);
        var title = $"{L["cadence_" + data.Period.Cadence]} {L["title"].ToLower(f.Culture)}";
        sb.Append("<!DOCTYPE html><html lang=\"").Append(L.Language).Append("\"><head><meta charset=\"utf-8\">")
          .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><meta name=\"x-apple-disable-message-reformatting\">")
          .Append("<meta name=\"color-scheme\" content=\"light\"><title>").Append(E(title)).Append("</title>")
          .Append("<style>@media only screen and (max-width:620px){.px{padding-left:14px!important;padding-right:14px!important}")
          .Append(".kpi{display:block!important;width:100%!important;box-sizing:border-box}.hide-sm{display:none!important}}</style></head>")
          .Append("<body style=\"margin:0;padding:0;background:#F1F5F9;\">");
        // Preheader: the line inbox lists show under the subject.
        sb.Append("<div style=\"display:none;max-height:0;overflow:hidden;mso-hide:all;\">")
          .Append(E($"{L["revenue"]} {metrics[0].Value} ({metrics[0].VsPrevious.Text} {L["vs_previous_short"]}) · {L["churn_rate"]} {metrics[6].Value} · {L["active_customers"]} {metrics[3].Value}"))
          .Append("</div>");
        sb.Append("<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"background:#F1F5F9;\"><tr><td align=\"center\" style=\"padding:20px 6px;\">")
          .Append("<!--[if mso]><table role=\"presentation\" width=\"640\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\"><tr><td><![endif]-->")
          .Append("<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"max-width:640px;background:#FFFFFF;border:1px solid ").Append(Line).Append(";\">");

        // Header band
        sb.Append("<tr><td class=\"px\" style=\"background:#1E3A8A;padding:22px 20px;").Append(Font).Append("\">")
          .Append("<div style=\"color:#BFDBFE;font-size:13px;letter-spacing:.5px;text-transform:uppercase;\">").Append(E(title)).Append(" · ").Append(E(scope)).Append("</div>")
          .Append("<div style=\"color:#FFFFFF;font-size:24px;font-weight:bold;line-height:1.3;margin-top:4px;\">").Append(E(f.Period(data.Period))).Append("</div>")
          .Append("</td></tr>");

        // Greeting
        var lastDay = data.Period.End.AddDays(-1);
        sb.Append("<tr><td class=\"px\" style=\"padding:18px 20px 4px 20px;color:").Append(Ink).Append(";font-size:15px;line-height:1.5;").Append(Font).Append("\">")
          .Append(E(L.Format("greeting", data.Recipient.Name))).Append("<br>")
          .Append(E(L.Format("intro", scope, data.Period.Start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), lastDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))))
          .Append("</td></tr>");

        // Three headline tiles
        sb.Append("<tr><td class=\"px\" style=\"padding:12px 14px;\"><table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\"><tr>");
        foreach (var m in new[] { metrics[0], metrics[3], metrics[6] })
        {
            sb.Append("<td class=\"kpi\" width=\"33%\" valign=\"top\" style=\"padding:6px;\"><table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"background:#F8FAFC;border:1px solid ").Append(Line).Append(";\"><tr><td style=\"padding:12px;").Append(Font).Append("\">")
              .Append("<div style=\"color:").Append(Soft).Append(";font-size:12px;\">").Append(E(L[m.Key])).Append("</div>")
              .Append("<div style=\"color:").Append(Ink).Append(";font-size:24px;font-weight:bold;line-height:1.3;\">").Append(E(m.Value)).Append("</div>")
              .Append("<div style=\"font-size:12px;color:").Append(Tone(m.VsPrevious.Tone)).Append(";\">").Append(E(m.VsPrevious.Text)).Append(" <span style=\"color:").Append(Soft).Append(";\">").Append(E(L["vs_previous_short"])).Append("</span></div>")
              .Append("</td></tr></table></td>");
        }

        sb.Append("</tr></table></td></tr>");

        // In short: the three sentences a manager reads if they read nothing else.
        sb.Append("<tr><td class=\"px\" style=\"padding:4px 20px 0 20px;\"><table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"background:#EFF6FF;border-left:4px solid #2563EB;\"><tr><td style=\"padding:10px 14px;color:#1E293B;font-size:14px;line-height:1.55;").Append(Font).Append("\">")
          .Append("<b>").Append(E(L["highlights"])).Append("</b>");
        foreach (var line in Highlights(data, L, f, metrics))
        {
            sb.Append("<br>• ").Append(E(line));
        }

        sb.Append("</td></tr></table></td></tr>");

        // Full headline table
        Section(sb, L["headline"]);
        sb.Append("<tr><td class=\"px\" style=\"padding:0 20px 8px 20px;\">");
        Table(sb);
        sb.Append("<tr>");
        Th(sb, L["metric"], "left");
        Th(sb, L["this_period"], "right");
        Th(sb, L["vs_previous"], "right");
        Th(sb, L["vs_year_before"], "right");
        sb.Append("</tr>");
        foreach (var m in metrics)
        {
            sb.Append("<tr>");
            Td(sb, E(L[m.Key]), "left");
            Td(sb, "<b>" + E(m.Value) + "</b>", "right");
            Td(sb, $"<span style=\"color:{Tone(m.VsPrevious.Tone)};\">{E(m.VsPrevious.Text)}</span>", "right");
            Td(sb, $"<span style=\"color:{Tone(m.VsYearBefore.Tone)};\">{E(m.VsYearBefore.Text)}</span>", "right");
            sb.Append("</tr>");
        }

        sb.Append("</table>");
        Note(sb, L.Format("definitions", data.ChurnAfterDays));
        if (ReportNotes.ClvMissing(data, L, f) is { } clvMissing)
        {
            Note(sb, clvMissing);
        }

        foreach (var line in ReportNotes.Currency(data, L))
        {
            Note(sb, line);
        }

        sb.Append("</td></tr>");

        // Charts
        var legend = $"<span style=\"color:#2563EB;\">■</span> {E(L["this_year"])} &nbsp; <span style=\"color:#94A3B8;\">- -</span> {E(L["year_before"])}";
        Chart(sb, L["trend_revenue"], charts[0], imageSource, legend);
        var churnLegend = $"<span style=\"color:#DC2626;\">●</span> {E(L["this_year"])} &nbsp; <span style=\"color:#94A3B8;\">- -</span> {E(L["year_before"])}";
        Chart(sb, L["trend_churn"], charts[1], imageSource, churnLegend);
        Chart(sb, L["segment_mix"], charts[2], imageSource, null);

        // At risk
        Section(sb, L["at_risk_title"]);
        sb.Append("<tr><td class=\"px\" style=\"padding:0 20px 8px 20px;\">");
        Note(sb, L["at_risk_intro"]);
        Note(sb, L["at_risk_chart_note"]);
        sb.Append(Img(charts[3], imageSource));
        if (data.AtRisk.Count == 0)
        {
            Note(sb, ReportNotes.NoneAtRisk(data, L, f));
        }
        else
        {
            Table(sb);
            sb.Append("<tr>");
            Th(sb, L["customer"], "left");
            Th(sb, L["probability"], "right");
            Th(sb, L["value_at_risk"], "right");
            Th(sb, L["last_order"] + " / " + L["last_contact"], "right");
            sb.Append("</tr>");
            foreach (var r in data.AtRisk)
            {
                var who = new StringBuilder();
                who.Append("<b>").Append(E(r.Name)).Append("</b>");
                if (r.Segment is not null)
                {
                    who.Append(" <span style=\"color:").Append(Soft).Append(";font-size:11px;\">").Append(E(ReportNotes.Segment(r.Segment, L))).Append("</span>");
                }

                foreach (var why in DriverWords.Sentences(r.Facts, r.Drivers, r.ScoredAt, L, f, 2))
                {
                    who.Append("<br><span style=\"color:").Append(Soft).Append(";font-size:11px;\">").Append(E(why)).Append("</span>");
                }

                sb.Append("<tr>");
                Td(sb, who.ToString(), "left");
                Td(sb, $"<span style=\"color:{BandColor(r.RiskBand)};font-weight:bold;\">{E(f.Percent(r.Probability))}</span><br><span style=\"color:{Soft};font-size:11px;\">{E(ReportNotes.Band(r.RiskBand, L))}</span>", "right");
                Td(sb, $"<b>{E(f.MoneyD(r.ValueAtRisk))}</b><br><span style=\"color:{Soft};font-size:11px;\">{E(L["clv"])} {E(f.MoneyD(r.Clv))}</span>", "right");
                Td(sb, $"{E(f.Date(r.LastOrder))}<br><span style=\"color:{Soft};font-size:11px;\">{E(ReportNotes.LastContact(r.LastContact, L, f))}</span>", "right");
                sb.Append("</tr>");
            }

            sb.Append("</table>");
            var total = data.AtRisk.Sum(r => r.ValueAtRisk);
            sb.Append("<div style=\"margin-top:10px;padding:10px 12px;background:#FEF2F2;border-left:4px solid #DC2626;color:#7F1D1D;font-size:13px;line-height:1.5;").Append(Font).Append("\">")
              .Append(E(L.Format("action", f.MoneyD(total)))).Append("</div>");
        }

        sb.Append("</td></tr>");

        // Whose risk rose most since the last report
        Section(sb, L["risers_title"]);
        sb.Append("<tr><td class=\"px\" style=\"padding:0 20px 8px 20px;\">");
        if (data.RiskRisers.Count == 0)
        {
            Note(sb, L.Format("no_risers", f.Date(data.PreviousReportAt)));
        }
        else
        {
            Note(sb, L.Format("risers_intro", f.Date(data.PreviousReportAt)));
            Table(sb);
            sb.Append("<tr>");
            Th(sb, L["customer"], "left");
            Th(sb, L["risk_then"], "right");
            Th(sb, L["risk_now"], "right");
            Th(sb, L["risk_rise"], "right");
            sb.Append("</tr>");
            foreach (var r in data.RiskRisers)
            {
                var who = new StringBuilder("<b>").Append(E(r.Name)).Append("</b>");
                if (r.Segment is not null)
                {
                    who.Append(" <span style=\"color:").Append(Soft).Append(";font-size:11px;\">").Append(E(ReportNotes.Segment(r.Segment, L))).Append("</span>");
                }

                foreach (var why in DriverWords.Sentences(r.Facts, r.Drivers, r.ScoredAt, L, f, 2))
                {
                    who.Append("<br><span style=\"color:").Append(Soft).Append(";font-size:11px;\">").Append(E(why)).Append("</span>");
                }

                sb.Append("<tr>");
                Td(sb, who.ToString(), "left");
                Td(sb, E(f.Percent(r.PreviousProbability)) + $"<br><span style=\"color:{Soft};font-size:11px;\">{E(f.Date(r.PreviousScoredAt))}</span>", "right");
                Td(sb, $"<b>{E(f.Percent(r.Probability))}</b>", "right");
                Td(sb, $"<span style=\"color:#DC2626;font-weight:bold;\">{E(ReportNotes.RisePoints(r.Rise, L))}</span>", "right");
                sb.Append("</tr>");
            }

            sb.Append("</table>");
        }

        sb.Append("</td></tr>");

        // What to do, by segment
        Section(sb, L["actions_title"]);
        sb.Append("<tr><td class=\"px\" style=\"padding:0 20px 8px 20px;\">");
        if (data.SegmentStakes.Count == 0)
        {
            Note(sb, L.Format("no_actions", f.Date(data.GeneratedAt)));
        }
        else
        {
            Note(sb, L["actions_intro"]);
            Table(sb);
            sb.Append("<tr>");
            Th(sb, L["segment"], "left");
            Th(sb, L["customers"], "right");
            Th(sb, L["value_at_stake"], "right");
            sb.Append("</tr>");
            foreach (var a in data.SegmentStakes)
            {
                sb.Append("<tr>");
                Td(sb, $"<b>{E(ReportNotes.Segment(a.Segment, L))}</b><br><span style=\"color:{Soft};font-size:12px;\">{E(ReportNotes.Action(a.Segment, L))}</span>", "left");
                Td(sb, E(f.Count(a.Customers)), "right");
                Td(sb, "<b>" + E(f.MoneyD(a.ValueAtStake)) + "</b>", "right");
                sb.Append("</tr>");
            }

            sb.Append("</table>");
        }

        sb.Append("</td></tr>");

        // Data health
        Section(sb, L["data_health"]);
        sb.Append("<tr><td class=\"px\" style=\"padding:0 20px 8px 20px;\">");
        if (data.Sources.Count == 0)
        {
            Note(sb, L["no_sources"]);
        }
        else
        {
            Table(sb);
            sb.Append("<tr>");
            Th(sb, L["source"], "left");
            Th(sb, L["rows_loaded"], "right");
            Th(sb, L["recent"], "right", "hide-sm");
            Th(sb, L["quarantined"], "right");
            Th(sb, L["duplicates"], "right", "hide-sm");
            Th(sb, L["freshness"], "right");
            sb.Append("</tr>");
            foreach (var s in data.Sources)
            {
                sb.Append("<tr>");
                Td(sb, E(ReportNotes.Source(s.Source, L)), "left");
                Td(sb, E(f.Count(s.RowsLoaded)), "right");
                Td(sb, E(f.Count(s.InPeriod)), "right", "hide-sm");
                Td(sb, s.Quarantined > 0 ? $"<span style=\"color:#B45309;\">{E(f.Count(s.Quarantined))}</span>" : E(f.Count(s.Quarantined)), "right");
                Td(sb, E(f.Count(s.Duplicates)), "right", "hide-sm");
                Td(sb, E(ReportNotes.Age(s.LatestRecord, data.PeriodEndUtc, L)), "right");
                sb.Append("</tr>");
            }

            sb.Append("</table>");
            Note(sb, ReportNotes.DataHealth(data, L));
        }

        if (data.FailedJobs.Count == 0)
        {
            Note(sb, "✔ " + L["no_failed_jobs"]);
        }
        else
        {
            sb.Append("<div style=\"margin-top:10px;color:#B91C1C;font-size:13px;font-weight:bold;").Append(Font).Append("\">").Append(E(L["failed_jobs"])).Append("</div>");
            foreach (var j in data.FailedJobs)
            {
                Note(sb, $"{j.Stage} ×{j.Failures} · {f.Date(j.LastFailed)} · {Trim(j.LastError, 140)}");
            }
        }

        sb.Append("</td></tr>");

        // Model health
        Section(sb, L["model_health"]);
        sb.Append("<tr><td class=\"px\" style=\"padding:0 20px 14px 20px;color:").Append(Ink).Append(";font-size:14px;line-height:1.5;").Append(Font).Append("\">");
        var modelLines = ReportNotes.ModelLines(data, L, f);
        for (var i = 0; i < modelLines.Count; i++)
        {
            var (line, warning) = modelLines[i];
            if (i == 0)
            {
                sb.Append(E(line));
                continue;
            }

            sb.Append("<br><span style=\"color:").Append(warning ? "#B45309" : Soft).Append(";\">").Append(E(line)).Append("</span>");
        }

        sb.Append("</td></tr>");

        // Footer
        sb.Append("<tr><td class=\"px\" style=\"padding:14px 20px;background:#F8FAFC;border-top:1px solid ").Append(Line).Append(";color:").Append(Soft).Append(";font-size:11px;line-height:1.5;").Append(Font).Append("\">")
          .Append(E(L.Format("footer", data.GeneratedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture), footerKey, data.Period.Key)))
          .Append("</td></tr>");
        sb.Append("</table><!--[if mso]></td></tr></table><![endif]--></td></tr></table></body></html>");
        return sb.ToString();
    }

    /// <summary>Revenue, churn and risk in one sentence each, from the same figures as the tables.</summary>
    internal static IReadOnlyList<string> Highlights(ReportData data, ReportLabels labels, ReportFormat f, IReadOnlyList<MetricLine> metrics)
    {
        var lines = new List<string>
        {
            labels.Format("highlight_revenue", metrics[0].Value, metrics[0].VsPrevious.Text.TrimStart('▲', '▼', ' '), metrics[0].VsYearBefore.Text.TrimStart('▲', '▼', ' ')),
            labels.Format("highlight_churn", f.Count(data.Current.Churned), f.Percent(data.Current.ChurnRate), f.Count(data.Current.Retained)),
            ReportNotes.WonBack(data, labels, f),
        };
        var high = data.RiskBands.FirstOrDefault(b => b.Band == "high");
        if (high is not null)
        {
            lines.Add(labels.Format("highlight_risk", f.Count(high.Customers), f.MoneyD(high.ValueAtRisk)));
        }

        return lines;
    }

    /// <summary>The recipient's scope in their language, e.g. "region Europe".</summary>
    internal static string ScopeText(ReportScopeOptions scope, ReportLabels labels)
    {
        var parts = new List<string>();
        if (!string.IsNullOrWhiteSpace(scope.Region)) parts.Add(labels.Format("scope_region", scope.Region));
        if (!string.IsNullOrWhiteSpace(scope.Segment)) parts.Add(labels.Format("scope_segment", scope.Segment));
        if (!string.IsNullOrWhiteSpace(scope.Channel)) parts.Add(labels.Format("scope_channel", scope.Channel));
        return parts.Count == 0 ? labels["scope_all"] : string.Join(", ", parts);
    }

    internal static string Ago(DateTimeOffset? at, DateTimeOffset now, ReportLabels labels)
    {
        if (at is null)
        {
            return labels["none"];
        }

        var age = now - at.Value;
        return age.TotalHours < 48
            ? labels.Format("ago_hours", Math.Max(0, (int)age.TotalHours))
            : labels.Format("ago_days", (int)age.TotalDays);
    }

    private static void Section(StringBuilder sb, string title) =>
        sb.Append("<tr><td class=\"px\" style=\"padding:18px 20px 8px 20px;").Append(Font).Append("\">")
          .Append("<div style=\"color:").Append(Ink).Append(";font-size:17px;font-weight:bold;border-bottom:2px solid #1E3A8A;padding-bottom:4px;\">")
          .Append(E(title)).Append("</div></td></tr>");

    private static void Chart(StringBuilder sb, string title, ChartImage chart, Func<ChartImage, string> src, string? legendHtml)
    {
        Section(sb, title);
        sb.Append("<tr><td class=\"px\" style=\"padding:0 20px 8px 20px;").Append(Font).Append("\">");
        if (legendHtml is not null)
        {
            sb.Append("<div style=\"font-size:12px;color:").Append(Soft).Append(";padding-bottom:4px;\">").Append(legendHtml).Append("</div>");
        }

        sb.Append(Img(chart, src)).Append("</td></tr>");
    }

    private static string Img(ChartImage chart, Func<ChartImage, string> src) =>
        $"<img src=\"{E(src(chart))}\" width=\"{chart.Width}\" height=\"{chart.Height}\" alt=\"{E(chart.Alt)}\" " +
        $"style=\"display:block;width:100%;max-width:{chart.Width}px;height:auto;border:0;outline:none;text-decoration:none;\">";

    private static void Table(StringBuilder sb) =>
        sb.Append("<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"border-collapse:collapse;").Append(Font).Append("\">");

    private static void Th(StringBuilder sb, string text, string align, string? cls = null) =>
        sb.Append("<td").Append(cls is null ? "" : $" class=\"{cls}\"").Append(" align=\"").Append(align).Append("\" style=\"padding:6px 4px;border-bottom:2px solid ").Append(Line).Append(";color:").Append(Soft)
          .Append(";font-size:11px;font-weight:bold;text-transform:uppercase;").Append(Font).Append("\">").Append(E(text)).Append("</td>");

    private static void Td(StringBuilder sb, string html, string align, string? cls = null) =>
        sb.Append("<td").Append(cls is null ? "" : $" class=\"{cls}\"").Append(" align=\"").Append(align).Append("\" valign=\"top\" style=\"padding:7px 4px;border-bottom:1px solid ").Append(Line).Append(";color:").Append(Ink)
          .Append(";font-size:13px;line-height:1.4;").Append(Font).Append("\">").Append(html).Append("</td>");

    private static void Note(StringBuilder sb, string text) =>
        sb.Append("<div style=\"margin-top:8px;color:").Append(Soft).Append(";font-size:12px;line-height:1.5;").Append(Font).Append("\">").Append(E(text)).Append("</div>");

    private static string Tone(int tone) => tone > 0 ? "#059669" : tone < 0 ? "#DC2626" : Soft;

    private static string BandColor(string band) => band switch { "high" => "#DC2626", "medium" => "#D97706", _ => "#059669" };

    private static string Trim(string? s, int max) => s is null ? "" : s.Length <= max ? s : s[..max] + "…";

    private static string E(string s) => WebUtility.HtmlEncode(s);
}

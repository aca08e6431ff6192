using System.Security.Cryptography;
using System.Text;
using MimeKit;

namespace Crm.Pipeline.Reports;

/// <summary>A rendered report: the message to send and a self-contained HTML copy for the archive and outbox.</summary>
/// <param name="Message">multipart/mixed: (multipart/alternative: text, multipart/related: html + charts) + the CSV.</param>
/// <param name="ArchiveHtml">The HTML with charts inlined as data URIs, viewable in a browser on its own.</param>
/// <param name="Subject">The subject line.</param>
internal sealed record ComposedReport(MimeMessage Message, string ArchiveHtml, string Subject);

/// <summary>Builds the report email from the figures.</summary>
internal static class ReportComposer
{
    /// <summary>
    /// The Message-ID of a report: the same (report, period, recipient) always gives the same id, so a
    /// message sent twice by accident (a crash between the server's "250 OK" and our bookkeeping) can be
    /// recognised as one by mail systems and by us.
    /// </summary>
    public static string MessageId(string report, string periodKey, string recipient, string fromAddress)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{report}\n{periodKey}\n{recipient.Trim().ToLowerInvariant()}"));
        var at = fromAddress.LastIndexOf('@');
        var domain = at >= 0 && at < fromAddress.Length - 1 ? fromAddress[(at + 1)..] : "crm.local";
        return $"report.{Convert.ToHexStringLower(hash.AsSpan(0, 16))}@{domain}";
    }

    public static ComposedReport Compose(ReportData data, ReportsOptions options, string messageId)
    {
        var labels = ReportLabels.For(data.Recipient.Language);
        IReadOnlyList<string> shown = data.DisplayCurrency is { } target ? [target] : data.Currencies;
        var symbol = string.IsNullOrEmpty(options.CurrencySymbol) ? ReportCurrency.Symbol(shown, labels.Language) : options.CurrencySymbol;
        var format = new ReportFormat(labels, symbol);
        var idSuffix = messageId[(messageId.IndexOf('.', StringComparison.Ordinal) + 1)..];
        var charts = ReportCharts.Draw(data, labels, ReportCurrency.ChartPrefix(symbol, shown), idSuffix);
        var metrics = MetricLine.Build(data, format);
        var subject = labels.Format("subject", labels["cadence_" + data.Period.Cadence], format.Period(data.Period), metrics[0].Value, metrics[0].VsPrevious.Text + " " + labels["vs_previous_short"]);
        var html = ReportHtml.Render(data, labels, format, charts, c => "cid:" + c.ContentId, options.ReportName);
        var archive = ReportHtml.Render(data, labels, format, charts, c => "data:image/png;base64," + Convert.ToBase64String(c.Png), options.ReportName);
        var text = ReportText.Render(data, labels, format, options.ReportName);

        var message = new MimeMessage { MessageId = messageId, Subject = subject, Date = data.GeneratedAtReal };
        message.From.Add(new MailboxAddress(options.Smtp.FromName, options.Smtp.From));
        message.To.Add(new MailboxAddress(data.Recipient.Name, data.Recipient.Address));
        message.Headers.Add("X-Crm-Report", options.ReportName);
        message.Headers.Add("X-Crm-Period", data.Period.Key);
        message.Headers.Add("Auto-Submitted", "auto-generated");

        var builder = new BodyBuilder { TextBody = text, HtmlBody = html };
        foreach (var chart in charts)
        {
            var image = builder.LinkedResources.Add(chart.ContentId + ".png", chart.Png, new ContentType("image", "png"));
            image.ContentId = chart.ContentId;
            image.ContentDisposition = new ContentDisposition(ContentDisposition.Inline) { FileName = chart.ContentId[..chart.ContentId.IndexOf('.', StringComparison.Ordinal)] + ".png" };
        }

        builder.Attachments.Add(labels["csv_name"], AtRiskCsv.Write(data.AtRiskCsv, labels, format), new ContentType("text", "csv") { Charset = "utf-8" });
        message.Body = builder.ToMessageBody();
        return new ComposedReport(message, archive, subject);
    }
}

using System.Globalization;
using System.Text;

namespace Crm.Pipeline.Reports;

/// <summary>
/// The at-risk list as CSV (RFC 4180, UTF-8 with BOM so spreadsheet programs detect the encoding).
/// Written by hand: a dozen columns of our own values do not need a CSV library's writer, and quoting is tested.
/// Its first rows are the email's at-risk table, in the same order (rank 1 is the table's first row); contact
/// details and the drivers in the recipient's words come with each customer, the model's feature names beside them.
/// </summary>
internal static class AtRiskCsv
{
    public static readonly string[] Header =
        ["rank", "customer_id", "customer", "email", "phone", "region", "segment", "churn_probability", "risk_band", "clv", "value_at_risk",
         "main_drivers", "driver_features", "last_order", "orders", "last_contact"];

    public static byte[] Write(IEnumerable<AtRiskRow> rows, ReportLabels labels, ReportFormat format)
    {
        var rank = 0;
        var sb = new StringBuilder();
        sb.AppendJoin(',', Header).Append("\r\n");
        var inv = CultureInfo.InvariantCulture;
        foreach (var r in rows)
        {
            string?[] cells =
            [
                (++rank).ToString(inv), r.CustomerId.ToString(inv), r.Name, r.Email, r.Phone, r.Region,
                r.Segment is null ? null : ReportNotes.Segment(r.Segment, labels),
                r.Probability.ToString("0.0000", inv), r.RiskBand, r.Clv.ToString("0.00", inv), r.ValueAtRisk.ToString("0.00", inv),
                string.Join("; ", DriverWords.Sentences(r.Facts, r.Drivers, r.ScoredAt, labels, format, 3)), string.Join("; ", r.Drivers), r.LastOrder?.UtcDateTime.ToString("yyyy-MM-dd", inv), r.Orders.ToString(inv),
                r.LastContact?.UtcDateTime.ToString("yyyy-MM-dd", inv),
            ];
            for (var i = 0; i < cells.Length; i++)
            {
                if (i > 0)
                {
                    sb.Append(',');
                }

                sb.Append(Quote(cells[i]));
            }

            sb.Append("\r\n");
        }

        return [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(sb.ToString())];
    }

    internal static string Quote(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }

        // A leading = + - @ would run as a formula in a spreadsheet; prefix it so it stays text.
        if (value[0] is '=' or '+' or '-' or '@')
        {
            value = "'" + value;
        }

        return value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }
}

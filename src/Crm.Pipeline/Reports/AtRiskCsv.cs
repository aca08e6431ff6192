using System.Globalization;
using System.Text;

namespace Crm.Pipeline.Reports;

/// <summary>
/// The at-risk list as CSV (RFC 4180, UTF-8 with BOM so spreadsheet programs detect the encoding).
/// Written by hand: a dozen columns of our own values do not need a CSV library's writer, and quoting is tested.
/// </summary>
internal static class AtRiskCsv
{
    public static readonly string[] Header =
        ["customer_id", "customer", "email", "region", "segment", "churn_probability", "risk_band", "clv", "value_at_risk", "main_drivers", "last_order", "orders", "last_contact"];

    public static byte[] Write(IEnumerable<AtRiskRow> rows)
    {
        var sb = new StringBuilder();
        sb.AppendJoin(',', Header).Append("\r\n");
        var inv = CultureInfo.InvariantCulture;
        foreach (var r in rows)
        {
            string?[] cells =
            [
                r.CustomerId.ToString(inv), r.Name, r.Email, r.Region, r.Segment,
                r.Probability.ToString("0.0000", inv), r.RiskBand, r.Clv.ToString("0.00", inv), r.ValueAtRisk.ToString("0.00", inv),
                string.Join("; ", r.Drivers), r.LastOrder?.UtcDateTime.ToString("yyyy-MM-dd", inv), r.Orders.ToString(inv),
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

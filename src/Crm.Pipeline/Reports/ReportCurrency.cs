namespace Crm.Pipeline.Reports;

/// <summary>How the report writes the currency of its amounts, from the ISO codes of the orders in scope.</summary>
internal static class ReportCurrency
{
    /// <summary>
    /// The symbol of the one currency the orders are in (€, $, £, ¥; otherwise the code and a space), in the
    /// recipient's language; empty when the orders are in several currencies (the report then says so).
    /// </summary>
    public static string Symbol(IReadOnlyList<string> currencies, string language)
    {
        if (currencies.Count != 1)
        {
            return currencies.Count == 0 ? "" : "";
        }

        var zh = language == "zh";
        return currencies[0].ToUpperInvariant() switch
        {
            "EUR" => "€",
            "USD" => zh ? "US$" : "$",
            "GBP" => "£",
            "JPY" => zh ? "JP¥" : "¥",
            "CNY" => zh ? "¥" : "CN¥",
            var code => code + " ",
        };
    }

    /// <summary>The prefix in chart labels: the chart fonts have no €, ¥ or £, so those show as the ISO code.</summary>
    public static string ChartPrefix(string symbol, IReadOnlyList<string> currencies) =>
        symbol.All(c => c < 0x80) ? symbol : currencies.Count == 1 ? currencies[0] + " " : "";

    /// <summary>True when the period's orders are in more than one currency: amounts are added up without conversion.</summary>
    public static bool Mixed(IReadOnlyList<string> currencies) => currencies.Count > 1;
}

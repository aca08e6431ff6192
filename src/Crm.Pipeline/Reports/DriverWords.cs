namespace Crm.Pipeline.Reports;

/// <summary>
/// A churn driver told in the recipient's words with the customer's own figures ("no order for 140 days, usually
/// every 30"). Which drivers, and in which order, is the model's choice (its per-customer contributions, stored by
/// the score stage); this only writes them. Templates are the <c>why_*</c> labels; a driver whose figures are
/// missing (an older score, a source not loaded) falls back to its short label (<see cref="ReportLabels.Driver"/>).
/// </summary>
internal static class DriverWords
{
    /// <summary>The drivers of one customer in words, strongest first, without repeating a sentence, at most <paramref name="max"/>.</summary>
    public static IReadOnlyList<string> Sentences(
        IReadOnlyList<DriverFact> facts, IReadOnlyList<string> features, DateTimeOffset? scoredAt, ReportLabels labels, ReportFormat format, int max)
    {
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(features);
        var asOf = DateOnly.FromDateTime((scoredAt ?? DateTimeOffset.UtcNow).UtcDateTime);
        var result = new List<string>();
        IEnumerable<string> all = facts.Count > 0
            ? facts.Select(d => Sentence(d, asOf, labels, format))
            : features.Select(labels.Driver);
        foreach (var s in all)
        {
            if (result.Count < max && !result.Contains(s, StringComparer.Ordinal))
            {
                result.Add(s);
            }
        }

        return result;
    }

    /// <summary>One driver in words, as of the day it was scored.</summary>
    public static string Sentence(DriverFact d, DateOnly asOf, ReportLabels labels, ReportFormat format)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(format);
        return d.Value is { } v && !double.IsNaN(v)
            ? Words(d, v, asOf, labels, format) ?? labels.Driver(d.Feature)
            : Missing(d, labels) ?? labels.Driver(d.Feature);
    }

    /// <summary>
    /// Sentences for a driver whose own value is missing: the customer has no such record at all, or (for the gaps
    /// between orders) a single order, so the model weighed the average in its place.
    /// </summary>
    private static string? Missing(DriverFact d, ReportLabels L) => d.Feature switch
    {
        "web_days_since_visit" => L["why_web_never"],
        "email_days_since_contact" => L["why_email_never"],
        "avg_interpurchase_days" or "last_interpurchase_days" or "interpurchase_trend" or "interpurchase_cv" or "recency_gap_ratio" =>
            d.Get("orders_all") is 1 && d.Get("recency_days") is { } r ? L.Format("why_recency_first", Math.Round(r, MidpointRounding.AwayFromZero).ToString("N0", L.Culture)) : L["why_no_rhythm"],
        _ => null,
    };

    private static string? Words(DriverFact d, double v, DateOnly asOf, ReportLabels L, ReportFormat f)
    {
        var c = f.Culture;
        string N(double x) => Math.Round(x, MidpointRounding.AwayFromZero).ToString("N0", c);
        string Pct(double x) => (x * 100).ToString("0", c) + "%";
        string Month(double daysAgo) => asOf.AddDays(-(int)Math.Round(daysAgo, MidpointRounding.AwayFromZero))
            .ToString(L.Language == "zh" ? "yyyy年M月" : "MMMM yyyy", c);
        string Counted(string key, double n, params object[] rest)
        {
            var k = n == 0 && L.Has(key + "_none") ? key + "_none" : Math.Round(n) == 1 && L.Has(key + "_one") ? key + "_one" : key;
            return L.Format(k, [N(n), .. rest]);
        }

        // The usual rhythm beside a time since the last order: "usually every 30", or "their only order" for a first-timer.
        string? Rhythm(string key, double recency, params object[] lead)
        {
            if (d.Get("avg_interpurchase_days") is { } gap)
            {
                return L.Format(key, [.. lead, N(recency), N(gap)]);
            }

            return d.Get("orders_all") is 1 ? L.Format(key + "_first", [.. lead, N(recency)]) : null;
        }

        switch (d.Feature)
        {
            case "recency_days":
                return Rhythm("why_recency", v) ?? L.Format("why_recency_alone", N(v));
            case "recency_gap_ratio":
                return d.Get("recency_days") is { } r ? Rhythm("why_recency", r) : L.Format("why_gap_ratio", v.ToString("0.0", c));
            // BG/NBD's probabilities come from the purchase rhythm alone: say the rhythm, not a second probability
            // beside the report's churn risk (for the BG/NBD champion they are the same figure).
            case "bgnbd_p_no_purchase" or "bgnbd_p_alive":
                return d.Get("recency_days") is { } r1 ? Rhythm("why_recency", r1) : null;
            case "avg_interpurchase_days":
                return L.Format("why_avg_gap", N(v));
            case "last_interpurchase_days":
                return d.Get("avg_interpurchase_days") is { } g1 ? L.Format("why_last_gap", N(v), N(g1)) : null;
            case "interpurchase_trend":
                return d.Get("last_interpurchase_days") is { } l2 && d.Get("avg_interpurchase_days") is { } g2 ? L.Format("why_last_gap", N(l2), N(g2)) : null;
            case "interpurchase_cv":
                return d.Get("avg_interpurchase_days") is { } g3 ? L.Format("why_gap_cv", Pct(v), N(g3)) : null;
            case "spend_trend":
                return Spend(v, L, Pct);
            case "orders_30":
                return Counted("why_orders_window", v, N(30));
            case "orders_365":
                return Counted("why_orders_window", v, N(365));
            case "orders_90":
                return d.Get("orders_prev_90") is { } p90 ? L.Format("why_orders_90_vs", N(v), N(p90)) : Counted("why_orders_window", v, N(90));
            case "orders_prev_90":
                return d.Get("orders_90") is { } o90 ? L.Format("why_orders_90_vs", N(o90), N(v)) : null;
            case "orders_all":
                return Counted("why_orders_all", v);
            case "monetary_30":
                return L.Format("why_monetary_window", f.MoneyD(v), N(30));
            case "monetary_90":
                return L.Format("why_monetary_window", f.MoneyD(v), N(90));
            case "monetary_365":
                return L.Format("why_monetary_window", f.MoneyD(v), N(365));
            case "monetary_all":
                return L.Format("why_monetary_all", f.MoneyD(v));
            case "avg_order_value":
                return L.Format("why_aov", f.MoneyD(v));
            case "tenure_days":
                return L.Format("why_tenure", Month(v));
            case "returned_lines":
                return Counted("why_returned", v);
            case "cancelled_lines":
                return Counted("why_cancelled", v);
            case "return_rate":
                return L.Format("why_return_rate", Pct(v));
            case "distinct_skus":
                return Counted("why_skus", v);
            case "lines_per_order":
                return L.Format("why_lines", v.ToString("0.#", c));
            case "web_sessions_30":
                return Counted("why_web_sessions", v, N(30));
            case "web_sessions_90":
                return Counted("why_web_sessions", v, N(90));
            case "web_pages_90":
                return Counted("why_web_pages", v);
            case "web_product_views_90":
                return Counted("why_web_products", v);
            case "web_cart_abandon_90":
                return Counted("why_cart_abandon", v);
            case "web_days_since_visit":
                return L.Format("why_web_since", Month(v));
            case "web_visit_trend":
                return d.Get("web_sessions_30") is { } s30 && d.Get("web_sessions_90") is { } s90
                    ? s30 == 0 ? Counted("why_web_trend_stopped", s90 - s30) : L.Format("why_web_trend", N(s30), N(s90 - s30))
                    : null;
            case "web_sessions_since_order":
                return Counted("why_web_since_order", v);
            case "web_campaign_clicks_90":
                return Counted("why_campaign_clicks", v);
            case "campaign_sends_365":
                return Counted("why_campaign_sends", v);
            case "campaign_click_rate_365":
                return d.Get("campaign_sends_365") is { } sends ? Counted("why_click_rate", v * sends, N(sends)) : null;
            case "email_complaints_365":
                return Counted("why_complaints", v);
            case "email_cancel_requests_365":
                return Counted("why_cancel_requests", v);
            case "email_unanswered_threads":
                return Counted("why_unanswered", v);
            case "email_avg_response_hours":
                return L.Format("why_response_hours", N(v));
            case "email_days_since_contact":
                return L.Format("why_email_since", Month(v));
            case "email_sentiment_365":
                return L.Format(v < 0 ? "why_sentiment_unhappy" : "why_sentiment", v.ToString("+0.00;−0.00;0.00", c));
            default:
                return null;
        }
    }

    /// <summary>
    /// The spend trend is (last 180 days − the 180 before) ÷ (their sum), so the last half-year is (1 + s) ÷ (1 − s)
    /// of the one before: s = −0.25 is spend down 40%.
    /// </summary>
    private static string Spend(double s, ReportLabels L, Func<double, string> pct)
    {
        if (s <= -1)
        {
            return L["why_spend_stopped"];
        }

        if (s >= 1)
        {
            return L["why_spend_new"];
        }

        var change = (1 + s) / (1 - s) - 1;
        return Math.Abs(change) < 0.005 ? L["why_spend_flat"]
            : change < 0 ? L.Format("why_spend_down", pct(-change))
            : L.Format("why_spend_up", pct(change));
    }
}

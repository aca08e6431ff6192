namespace Crm.Pipeline.Features;

/// <summary>The feature columns of <c>ml.customer_features</c>, in model order.</summary>
public static class FeatureColumns
{
    /// <summary>Order (RFM and behaviour) features.</summary>
    public static readonly IReadOnlyList<string> Orders =
    [
        "recency_days", "tenure_days", "orders_30", "orders_90", "orders_365", "orders_all",
        "monetary_30", "monetary_90", "monetary_365", "monetary_all", "avg_order_value", "orders_prev_90",
        "avg_interpurchase_days", "last_interpurchase_days", "interpurchase_trend",
        "returned_lines", "cancelled_lines", "return_rate", "distinct_skus", "lines_per_order",
        "spend_trend", "interpurchase_cv", "recency_gap_ratio",
    ];

    /// <summary>Web engagement features (null when no web data is in the warehouse).</summary>
    public static readonly IReadOnlyList<string> Web =
    [
        "web_sessions_30", "web_sessions_90", "web_pages_90", "web_product_views_90",
        "web_cart_abandon_90", "web_days_since_visit", "web_visit_trend",
        "web_sessions_since_order", "web_campaign_clicks_90", "campaign_sends_365", "campaign_click_rate_365",
    ];

    /// <summary>Email features (null when no email data is in the warehouse).</summary>
    public static readonly IReadOnlyList<string> Email =
    [
        "email_complaints_365", "email_cancel_requests_365", "email_unanswered_threads",
        "email_avg_response_hours", "email_days_since_contact", "email_sentiment_365",
    ];

    /// <summary>The BG/NBD probability alive, fitted on the same cutoff.</summary>
    public const string ProbabilityAlive = "bgnbd_p_alive";

    /// <summary>
    /// BG/NBD probability of no purchase over the churn horizon: (1 − p_alive) + p_alive·((α+T)/(α+T+t))^(r+x),
    /// exact for BG/NBD because dropout happens only right after a purchase. The BTYD churn baseline.
    /// </summary>
    public const string ProbabilityNoPurchase = "bgnbd_p_no_purchase";

    /// <summary>Every feature column.</summary>
    public static readonly IReadOnlyList<string> All = [.. Orders, .. Web, .. Email, ProbabilityAlive, ProbabilityNoPurchase];
}

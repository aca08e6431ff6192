using Crm.Pipeline.Features;

namespace Crm.Pipeline.Churn;

/// <summary>
/// Which other feature values a driver needs to be told in words, and attaching them from the customer's feature
/// row. "No order for 140 days, usually every 30" is the recency driver with the average gap beside it: the
/// model chose the driver, this only fills in the customer's own figures so the report can write the sentence.
/// </summary>
public static class DriverContext
{
    private static readonly Dictionary<string, string[]> Needs = new(StringComparer.Ordinal)
    {
        ["recency_days"] = ["avg_interpurchase_days", "orders_all"],
        // The gap features are missing for a one-order customer: the sentence then says so, with the days since it.
        ["recency_gap_ratio"] = ["recency_days", "avg_interpurchase_days", "orders_all"],
        ["bgnbd_p_no_purchase"] = ["recency_days", "avg_interpurchase_days", "orders_all"],
        ["bgnbd_p_alive"] = ["recency_days", "avg_interpurchase_days", "orders_all"],
        ["avg_interpurchase_days"] = ["recency_days", "orders_all"],
        ["last_interpurchase_days"] = ["avg_interpurchase_days", "recency_days", "orders_all"],
        ["interpurchase_trend"] = ["last_interpurchase_days", "avg_interpurchase_days", "recency_days", "orders_all"],
        ["interpurchase_cv"] = ["avg_interpurchase_days", "recency_days", "orders_all"],
        ["orders_90"] = ["orders_prev_90"],
        ["orders_prev_90"] = ["orders_90"],
        ["tenure_days"] = ["orders_all"],
        ["campaign_click_rate_365"] = ["campaign_sends_365"],
        ["web_visit_trend"] = ["web_sessions_30", "web_sessions_90"],
        ["return_rate"] = ["returned_lines"],
    };

    /// <summary>The features whose values the sentence of <paramref name="feature"/> needs besides its own (often none).</summary>
    public static IReadOnlyList<string> For(string feature) => Needs.TryGetValue(feature, out var needs) ? needs : [];

    /// <summary>
    /// <paramref name="drivers"/> with each one's context filled from <paramref name="row"/> (one customer's values in
    /// <see cref="FeatureColumns.All"/> order); missing values are left out.
    /// </summary>
    public static IReadOnlyList<ChurnDriver> Attach(IReadOnlyList<ChurnDriver> drivers, float[] row)
    {
        ArgumentNullException.ThrowIfNull(drivers);
        ArgumentNullException.ThrowIfNull(row);
        var result = new List<ChurnDriver>(drivers.Count);
        foreach (var d in drivers)
        {
            var context = new SortedDictionary<string, double>(StringComparer.Ordinal);
            foreach (var name in For(d.Feature))
            {
                var v = row[Index(name)];
                if (!float.IsNaN(v))
                {
                    context[name] = v;
                }
            }

            result.Add(context.Count == 0 ? d : d with { Context = context });
        }

        return result;
    }

    private static int Index(string feature)
    {
        for (var j = 0; j < FeatureColumns.All.Count; j++)
        {
            if (FeatureColumns.All[j] == feature)
            {
                return j;
            }
        }

        throw new InvalidOperationException($"Driver context names the unknown feature '{feature}'.");
    }
}

using System.Text.Json;

namespace Crm.Pipeline.Reports;

/// <summary>Reads the main churn drivers out of <c>ml.churn_score.top_drivers</c>.</summary>
internal static class ChurnDrivers
{
    /// <summary>Feature names of the drivers that push towards churn, strongest first (at most three).</summary>
    public static IReadOnlyList<string> Parse(string? json) => ParseFacts(json).Select(d => d.Feature).ToList();

    /// <summary>
    /// The drivers that push towards churn, strongest first (at most three), with the customer's values. A plain
    /// array of names (an older layout) gives drivers without values; anything else gives none.
    /// </summary>
    public static IReadOnlyList<DriverFact> ParseFacts(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return [];
        }

        using var doc = JsonDocument.Parse(json);
        if (doc.RootElement.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        var none = new Dictionary<string, double>(StringComparer.Ordinal);
        var drivers = new List<(DriverFact Fact, double Weight)>();
        foreach (var e in doc.RootElement.EnumerateArray())
        {
            if (e.ValueKind == JsonValueKind.String)
            {
                drivers.Add((new DriverFact(e.GetString()!, null, none), drivers.Count == 0 ? 1 : 1.0 / (drivers.Count + 1)));
                continue;
            }

            if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty("feature", out var f) || f.ValueKind != JsonValueKind.String)
            {
                continue;
            }

            var contribution = e.TryGetProperty("contribution", out var c) && c.ValueKind == JsonValueKind.Number ? c.GetDouble() : 0;
            var direction = e.TryGetProperty("direction", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
            // Drivers that lower the risk are not reasons to call the customer.
            if (direction is "down" or "decreases" or "lowers" or "-" || contribution < 0)
            {
                continue;
            }

            double? value = e.TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
            var context = none;
            if (e.TryGetProperty("context", out var x) && x.ValueKind == JsonValueKind.Object)
            {
                context = new Dictionary<string, double>(StringComparer.Ordinal);
                foreach (var p in x.EnumerateObject())
                {
                    if (p.Value.ValueKind == JsonValueKind.Number)
                    {
                        context[p.Name] = p.Value.GetDouble();
                    }
                }
            }

            drivers.Add((new DriverFact(f.GetString()!, value, context), Math.Abs(contribution)));
        }

        return drivers.OrderByDescending(d => d.Weight).Take(3).Select(d => d.Fact).ToList();
    }
}

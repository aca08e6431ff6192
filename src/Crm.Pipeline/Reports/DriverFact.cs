namespace Crm.Pipeline.Reports;

/// <summary>
/// One churn driver as the score stage stored it in <c>ml.churn_score.top_drivers</c>: the feature, the customer's
/// value and the other values its sentence needs (<c>Churn/DriverContext.cs</c>).
/// </summary>
internal sealed record DriverFact(string Feature, double? Value, IReadOnlyDictionary<string, double> Context)
{
    /// <summary>A context value, or null when the score stage did not store it.</summary>
    public double? Get(string name) => Context.TryGetValue(name, out var v) ? v : null;
}

namespace Crm.Pipeline.Reports;

/// <summary>A filter on the customers a report covers; every set field must match.</summary>
public sealed class ReportScopeOptions
{
    /// <summary><c>core.customer.region</c> to keep, or empty for every region.</summary>
    public string? Region { get; set; }

    /// <summary>Current segment (<c>ml.customer_segment</c>) to keep, or empty.</summary>
    public string? Segment { get; set; }

    /// <summary>Sales channel = the order feed name (<c>core."order".feed</c>), or empty.</summary>
    public string? Channel { get; set; }

    /// <summary>A short human description, e.g. "region EU".</summary>
    public override string ToString()
    {
        var parts = new List<string>();
        if (!string.IsNullOrWhiteSpace(Region)) parts.Add("region " + Region);
        if (!string.IsNullOrWhiteSpace(Segment)) parts.Add("segment " + Segment);
        if (!string.IsNullOrWhiteSpace(Channel)) parts.Add("channel " + Channel);
        return parts.Count == 0 ? "all customers" : string.Join(", ", parts);
    }
}

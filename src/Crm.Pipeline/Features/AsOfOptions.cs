namespace Crm.Pipeline.Features;

/// <summary>
/// The one setting every learn stage shares, bound from <c>Crm:Churn</c> (where it has always been set) so that CLV
/// and segments need not read the churn model's settings to know their day.
/// </summary>
public sealed class AsOfOptions
{
    /// <summary>The day to compute as of; null = the day after the last order (<see cref="AsOfDay"/>).</summary>
    public DateOnly? AsOf { get; set; }
}

namespace Crm.Pipeline.Identity;

/// <summary>What one identity run did.</summary>
/// <param name="Mode">full or delta.</param>
/// <param name="Records">Source records considered.</param>
/// <param name="Resolved">Records cleaned and resolved in this run (all in a full run, the delta otherwise).</param>
/// <param name="Customers">Active golden customers after the run.</param>
/// <param name="Quarantined">Field values rejected by validation in this run.</param>
/// <param name="Merges">Customer ids merged into another.</param>
/// <param name="Splits">New ids split off an existing customer.</param>
/// <param name="Created">New customers.</param>
/// <param name="CapAlerts">Merges refused by the cluster-size cap.</param>
/// <param name="GuardBlocks">Merges refused by conflicting strong identifiers or manual splits.</param>
/// <param name="Elapsed">Wall time.</param>
public sealed record IdentityRunResult(
    string Mode, long Records, long Resolved, long Customers, long Quarantined, int Merges, int Splits, int Created,
    int CapAlerts, int GuardBlocks, TimeSpan Elapsed)
{
    /// <summary>Review items waiting for an admin after the run (pairs in the uncertain band, kept apart meanwhile).</summary>
    public long PendingReview { get; init; }

    /// <inheritdoc />
    public override string ToString() =>
        $"{Mode}: {Records} records ({Resolved} resolved) → {Customers} customers; created {Created}, merged {Merges}, split {Splits}; " +
        $"quarantined {Quarantined}; guard blocks {GuardBlocks}, size-cap alerts {CapAlerts}; pending review {PendingReview}; {Elapsed.TotalSeconds:F1} s";
}

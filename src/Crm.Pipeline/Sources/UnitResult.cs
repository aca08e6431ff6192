namespace Crm.Pipeline.Sources;

/// <summary>What happened to one source unit.</summary>
/// <param name="Unit">The unit, usually a file path.</param>
/// <param name="Outcome">loaded, reconciled (a changed file), skipped (already loaded) or failed.</param>
/// <param name="Counts">Its reconciled counts.</param>
/// <param name="Error">Why it failed, when it did.</param>
public sealed record UnitResult(string Unit, string Outcome, IngestCounts Counts, string? Error = null)
{
    /// <summary>Something the user should know about a unit that loaded, e.g. that it held no records.</summary>
    public string? Warning { get; init; }

    /// <summary>One line for the terminal.</summary>
    public override string ToString() =>
        Error is not null ? $"{Unit}: {Outcome}: {Error}"
        : Warning is not null ? $"{Unit}: {Outcome}: {Counts}; warning: {Warning}"
        : Counts == default ? $"{Unit}: {Outcome}"
        : $"{Unit}: {Outcome}: {Counts}";
}

namespace Crm.Pipeline.Sources;

/// <summary>
/// The reconciliation of one source unit or of a whole ingest: every record read is
/// loaded, quarantined or recognised as a duplicate of one already loaded.
/// </summary>
/// <param name="Read">Records read from the source.</param>
/// <param name="Loaded">Records new to the warehouse (or changed, for a reconciled unit).</param>
/// <param name="Quarantined">Records rejected, each with a quarantine row.</param>
/// <param name="Duplicate">Records already in the warehouse.</param>
public readonly record struct IngestCounts(long Read, long Loaded, long Quarantined, long Duplicate)
{
    /// <summary>True when read = loaded + quarantined + duplicate.</summary>
    public bool Reconciles => Read == Loaded + Quarantined + Duplicate;

    /// <summary>Adds two sets of counts.</summary>
    public static IngestCounts operator +(IngestCounts a, IngestCounts b) =>
        new(a.Read + b.Read, a.Loaded + b.Loaded, a.Quarantined + b.Quarantined, a.Duplicate + b.Duplicate);

    /// <summary>Adds two sets of counts.</summary>
    public static IngestCounts Add(IngestCounts a, IngestCounts b) => a + b;

    /// <summary>The summary line every ingest command prints last.</summary>
    public override string ToString() =>
        $"read {Read}, loaded {Loaded}, quarantined {Quarantined}, duplicate {Duplicate}";
}

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

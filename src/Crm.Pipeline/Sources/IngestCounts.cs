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

namespace Crm.Pipeline.Sources;

/// <summary>What a re-process request released.</summary>
/// <param name="Units">The files that the next ingest of the source reads again.</param>
/// <param name="QuarantineRows">Quarantine rows removed (the re-read quarantines again what is still wrong).</param>
public sealed record ReprocessResult(IReadOnlyList<string> Units, long QuarantineRows);

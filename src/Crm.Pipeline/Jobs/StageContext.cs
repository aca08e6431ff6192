namespace Crm.Pipeline.Jobs;

/// <summary>What a stage run knows about the run it belongs to.</summary>
/// <param name="RunId">The pipeline run (nightly, demo or manual).</param>
/// <param name="RunKind">nightly | demo | manual.</param>
/// <param name="Progress">Where to report progress.</param>
public sealed record StageContext(Guid RunId, string RunKind, IProgressSink Progress);

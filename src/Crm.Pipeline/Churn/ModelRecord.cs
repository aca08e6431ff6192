namespace Crm.Pipeline.Churn;

/// <summary>A row of <c>ml.model</c>.</summary>
/// <param name="ModelId">Registry id.</param>
/// <param name="Version">Unique version (training cutoff + artifact hash prefix).</param>
/// <param name="Trainer">fasttree | lightgbm | logistic, or bgnbd when the BG/NBD baseline is the model (no artifact).</param>
/// <param name="Features">Ordered feature list.</param>
/// <param name="TrainingFrom">First training cutoff.</param>
/// <param name="TrainingTo">Last training cutoff.</param>
/// <param name="Artifact">ML.NET model zip (null when stored elsewhere).</param>
/// <param name="ArtifactSha256">SHA-256 of the artifact.</param>
/// <param name="Status">challenger | champion | retired | rejected.</param>
/// <param name="StatusReason">Why the status was set.</param>
/// <param name="OddsCorrection">Multiplier of the predicted odds (class-weight correction), from the hyperparameters.</param>
/// <param name="Seed">Training seed, from the hyperparameters.</param>
/// <param name="LatestAuc">ROC-AUC at the latest backtest cutoff, from the metrics.</param>
/// <param name="PromotedAt">When it last became champion.</param>
/// <param name="Auc">Mean ROC-AUC over the backtest cutoffs, the figure promotion compares (null for older records).</param>
/// <param name="Calibration">The Platt calibration from the hyperparameters (null when the model has none).</param>
/// <param name="Hyperparameters">The recorded hyperparameters (the recipe), or null.</param>
public sealed record ModelRecord(
    long ModelId, string Version, string Trainer, IReadOnlyList<string> Features, DateOnly? TrainingFrom, DateOnly? TrainingTo,
    byte[]? Artifact, string? ArtifactSha256, string Status, string? StatusReason, double OddsCorrection, int Seed,
    double? LatestAuc, DateTime? PromotedAt, double? Auc = null, PlattCalibration? Calibration = null,
    System.Text.Json.Nodes.JsonObject? Hyperparameters = null)
{
    /// <summary>True when the record is the BG/NBD baseline rather than a trained model.</summary>
    public bool IsBaseline => Trainer == ChurnBacktest.BgNbd;
}

namespace Crm.Pipeline.Churn;

/// <summary>Churn model settings, bound from <c>Crm:Churn</c>.</summary>
public sealed class ChurnOptions
{
    /// <summary>A customer is churned at a cutoff when they buy nothing in the following this many days.</summary>
    public int HorizonDays { get; set; } = 90;

    /// <summary>How many rolling cutoffs the backtest evaluates (the latest labelled one and earlier ones).</summary>
    public int BacktestCutoffs { get; set; } = 3;

    /// <summary>How many labelled cutoffs (the most recent) the deployed model is trained on.</summary>
    public int TrainingCutoffs { get; set; } = 4;

    /// <summary>The "today" of the pipeline; empty means the day after the last order in the warehouse.</summary>
    public DateOnly? AsOf { get; set; }

    /// <summary>Only customers whose last purchase is at most this many days before a cutoff are trained on and scored.</summary>
    public int ActiveWindowDays { get; set; } = 365;

    /// <summary>A challenger must beat the champion's ROC-AUC on the latest cutoff by more than this.</summary>
    public double PromotionMargin { get; set; } = 0.002;

    /// <summary>Sanity check: a model whose ROC-AUC falls below this on any backtest cutoff is rejected.</summary>
    public double MinimumAuc { get; set; } = 0.55;

    /// <summary>Random seed of training (same seed and data → same model and metrics).</summary>
    public int Seed { get; set; } = 42;

    /// <summary>FastTree: number of trees.</summary>
    public int Trees { get; set; } = 100;

    /// <summary>FastTree: leaves per tree.</summary>
    public int Leaves { get; set; } = 20;

    /// <summary>FastTree: minimum examples per leaf.</summary>
    public int MinimumExamplesPerLeaf { get; set; } = 20;

    /// <summary>
    /// Models are trained on at most this many rows: above it, an evenly spaced deterministic sample of the
    /// labelled rows (every k-th in cutoff and customer order). Training time grows with the rows while
    /// the AUC stops improving long before a million; 0 trains on everything.
    /// </summary>
    public int MaxTrainingRows { get; set; } = 200_000;

    /// <summary>FastTree: learning rate.</summary>
    public double LearningRate { get; set; } = 0.1;

    /// <summary>
    /// How scored customers are put into risk bands. <see cref="RiskBandRule.Share"/> (the default) ranks them:
    /// the <see cref="HighRiskShare"/> most likely to leave are high, the next <see cref="MediumRiskShare"/>
    /// medium. With a 90-day horizon most customers of a shop buy nothing, so fixed probability thresholds
    /// put most of them in "high" (71 % at 100k customers), which tells a manager nothing.
    /// <see cref="RiskBandRule.Probability"/> uses <see cref="HighRiskThreshold"/> and <see cref="MediumRiskThreshold"/>.
    /// </summary>
    public RiskBandRule RiskBands { get; set; } = RiskBandRule.Share;

    /// <summary>Share of scored customers, the most likely to leave, in the high risk band (<see cref="RiskBandRule.Share"/>).</summary>
    public double HighRiskShare { get; set; } = 0.10;

    /// <summary>Share of scored customers, the next most likely, in the medium risk band (<see cref="RiskBandRule.Share"/>).</summary>
    public double MediumRiskShare { get; set; } = 0.20;

    /// <summary>Probability at or above which a customer is in the high risk band (<see cref="RiskBandRule.Probability"/>).</summary>
    public double HighRiskThreshold { get; set; } = 0.7;

    /// <summary>Probability at or above which a customer is in the medium risk band (<see cref="RiskBandRule.Probability"/>).</summary>
    public double MediumRiskThreshold { get; set; } = 0.4;

    /// <summary>Number of top contributing features stored per scored customer.</summary>
    public int TopDrivers { get; set; } = 3;

    /// <summary>
    /// The trainers that compete for the champion's place every night, comma-separated (fasttree, lightgbm,
    /// logistic). The one with the best mean backtest ROC-AUC over the cutoffs is the challenger; BG/NBD
    /// competes beside them without being listed.
    /// </summary>
    public string Trainers { get; set; } = "fasttree,lightgbm,logistic";

    /// <summary>The trainers of <see cref="Trainers"/>, trimmed, lower-case, without duplicates or empty items.</summary>
    public IReadOnlyList<string> TrainerList() =>
        (Trainers ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(t => t.ToLowerInvariant()).Distinct().ToList();

    /// <summary>A shallow copy (every setting is a value).</summary>
    public ChurnOptions Copy() => (ChurnOptions)MemberwiseClone();
}

/// <summary>How risk bands are assigned (<see cref="ChurnOptions.RiskBands"/>).</summary>
public enum RiskBandRule
{
    /// <summary>By rank: fixed shares of the scored customers, the most likely to leave first.</summary>
    Share,

    /// <summary>By fixed churn probability thresholds.</summary>
    Probability,
}

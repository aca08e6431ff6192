namespace Crm.Pipeline.Features;

/// <summary>
/// Settings of the <c>features</c> stage: which cutoffs of <c>ml.customer_features</c> exist and for whom. Bound from
/// <c>Crm:Features</c>; the keys that lived under <c>Crm:Churn</c> before the stage had its own section
/// (<c>HorizonDays</c>, <c>CutoffStepDays</c>, <c>BacktestCutoffs</c>, <c>TrainingCutoffs</c>,
/// <c>FeatureSampleCustomers</c>, <c>MaxFitCustomers</c>, <c>SeedOneToOneIdentity</c>) are read from there first,
/// so a settings file of an earlier release keeps working, and <c>Crm:Features</c> wins where both are set.
/// </summary>
public sealed class FeaturesOptions
{
    /// <summary>
    /// The label window the cutoffs are laid out for: the latest past cutoff lies this many days before "today".
    /// Also the window of the BG/NBD "no purchase" feature. Read from <c>Crm:Churn:HorizonDays</c> unless set here.
    /// </summary>
    public int HorizonDays { get; set; } = 90;

    /// <summary>Days between successive past cutoffs.</summary>
    public int CutoffStepDays { get; set; } = 30;

    /// <summary>How many test cutoffs the churn backtest evaluates (the latest labelled one and earlier ones).</summary>
    public int BacktestCutoffs { get; set; } = 3;

    /// <summary>How many labelled cutoffs (the most recent) a model is trained on.</summary>
    public int TrainingCutoffs { get; set; } = 4;

    /// <summary>
    /// Features of past cutoffs (the backtest's and training's) are built for a deterministic sample of about
    /// this many golden customers; today's cutoff, which is scored, always covers everyone. Training reads at
    /// most a few hundred thousand rows, so building a million customers per past cutoff was work thrown away.
    /// 0 builds every cutoff for everyone.
    /// </summary>
    public int FeatureSampleCustomers { get; set; } = 100_000;

    /// <summary>The BG/NBD p-alive feature is fitted on at most this many customers (a deterministic sample).</summary>
    public int MaxFitCustomers { get; set; } = 10_000;

    /// <summary>
    /// Before building features, give every source customer without a golden record its own one
    /// (one to one). For the demo and for warehouses without the identity stage; identity resolution
    /// replaces it. Off by default.
    /// </summary>
    public bool SeedOneToOneIdentity { get; set; }

    /// <summary>The cutoff layout these settings describe.</summary>
    public CutoffLayout Layout() => new(HorizonDays, CutoffStepDays, BacktestCutoffs, TrainingCutoffs);
}

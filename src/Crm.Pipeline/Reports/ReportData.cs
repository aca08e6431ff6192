namespace Crm.Pipeline.Reports;

/// <summary>Headline figures of one period.</summary>
internal sealed record Kpis(
    decimal Revenue, long Orders, long CustomersAtStart, long ActiveCustomers, long Churned, long Retained,
    long NewCustomers, double? ClvActive, long ClvCustomers)
{
    public decimal? AverageOrderValue => Orders == 0 ? null : Revenue / Orders;

    /// <summary>Churned ÷ customers active at the period start.</summary>
    public double? ChurnRate => CustomersAtStart == 0 ? null : (double)Churned / CustomersAtStart;

    /// <summary>Customers active at the start who ordered again during the period ÷ customers active at the start.</summary>
    public double? Retention => CustomersAtStart == 0 ? null : (double)Retained / CustomersAtStart;
}

/// <summary>One point of a trend chart: a period and its year-before twin.</summary>
internal sealed record TrendPoint(DateOnly Start, DateOnly End, Kpis Current, Kpis YearBefore);

/// <summary>Active customers and period revenue of one segment.</summary>
internal sealed record SegmentRow(string Segment, long Customers, decimal Revenue);

/// <summary>A customer worth saving.</summary>
internal sealed record AtRiskRow(
    long CustomerId, string Name, string? Email, string? Region, string? Segment, double Probability, string RiskBand,
    double Clv, double ValueAtRisk, IReadOnlyList<string> Drivers, DateTimeOffset? LastOrder, long Orders, DateTimeOffset? LastContact)
{
    /// <summary>The golden customer's phone number, for the CSV's contact details.</summary>
    public string? Phone { get; init; }

    /// <summary>The drivers of <see cref="Drivers"/> with the customer's values, for the drivers in words.</summary>
    public IReadOnlyList<DriverFact> Facts { get; init; } = [];

    /// <summary>When the score was made (the day the drivers' values are as of); null when unknown.</summary>
    public DateTimeOffset? ScoredAt { get; init; }
}

/// <summary>One segment's scored customers and their value at stake (churn probability × CLV, summed).</summary>
internal sealed record SegmentStakeRow(string Segment, long Customers, double ValueAtStake);

/// <summary>
/// A customer whose churn probability rose since the last report: the latest score before the previous
/// report's time and the latest now, with the current drivers.
/// </summary>
internal sealed record RiskRiserRow(
    long CustomerId, string Name, string? Segment, double PreviousProbability, double Probability, DateTimeOffset PreviousScoredAt, IReadOnlyList<string> Drivers)
{
    /// <summary>The drivers of <see cref="Drivers"/> with the customer's values, for the drivers in words.</summary>
    public IReadOnlyList<DriverFact> Facts { get; init; } = [];

    /// <summary>When the latest score was made (the day the drivers' values are as of); null when unknown.</summary>
    public DateTimeOffset? ScoredAt { get; init; }

    /// <summary>The rise in probability (0.12 = 12 percentage points).</summary>
    public double Rise => Probability - PreviousProbability;
}

/// <summary>Customers who ordered in the period after having been counted as churned, and what they spent.</summary>
internal sealed record WonBack(long Customers, decimal Revenue);

/// <summary>Value at risk of one risk band.</summary>
internal sealed record RiskBandRow(string Band, long Customers, double ValueAtRisk);

/// <summary>
/// Ingest figures of one source: the ledger's totals, and by the records' own times the records in the
/// period and the newest one before the period's end.
/// </summary>
internal sealed record SourceHealthRow(
    string Source, long Units, long RowsRead, long RowsLoaded, long Quarantined, long Duplicates, long InPeriod, DateTimeOffset? LatestRecord);

/// <summary>A stage that failed recently.</summary>
internal sealed record FailedJobRow(string Stage, long Failures, DateTimeOffset LastFailed, string? LastError);

/// <summary>
/// The churn champion: its AUC, since when it is champion, the one before it, and its backtest AUC per
/// cutoff (oldest first; the last cutoff is the newest data it learnt churn from, whose outcome window of
/// <see cref="HorizonDays"/> days ends at the scoring day).
/// </summary>
internal sealed record ModelHealth(string Version, string Trainer, double? Auc, DateTimeOffset Since, string? PreviousVersion, double? PreviousAuc, long Challengers)
{
    /// <summary>Backtest AUC per cutoff, oldest first.</summary>
    public IReadOnlyList<(DateOnly Cutoff, double Auc)> AucTrend { get; init; } = [];

    /// <summary>Days after a cutoff in which the model looks for an order (null when not recorded).</summary>
    public int? HorizonDays { get; init; }

    /// <summary>The last day of data the champion learnt from: its newest cutoff plus the horizon, or null.</summary>
    public DateOnly? TrainedThrough => AucTrend.Count == 0 || HorizonDays is null ? null : AucTrend[^1].Cutoff.AddDays(HorizonDays.Value);
}

/// <summary>Everything one report shows, read from the warehouse.</summary>
internal sealed record ReportData(
    RecipientOptions Recipient,
    ReportPeriod Period,
    Kpis Current,
    Kpis Previous,
    Kpis YearBefore,
    IReadOnlyList<TrendPoint> Trend,
    IReadOnlyList<SegmentRow> Segments,
    IReadOnlyList<AtRiskRow> AtRisk,
    IReadOnlyList<AtRiskRow> AtRiskCsv,
    IReadOnlyList<RiskBandRow> RiskBands,
    IReadOnlyList<SourceHealthRow> Sources,
    IReadOnlyList<FailedJobRow> FailedJobs,
    ModelHealth? Model,
    int ChurnAfterDays,
    DateTimeOffset GeneratedAt,
    DateTimeOffset GeneratedAtReal)
{
    /// <summary>ISO codes of the currencies of the scope's orders in the period, most orders first.</summary>
    public IReadOnlyList<string> Currencies { get; init; } = [];

    /// <summary>Value at stake per segment, largest first (for one recommended action each).</summary>
    public IReadOnlyList<SegmentStakeRow> SegmentStakes { get; init; } = [];

    /// <summary>Customers whose churn risk rose most since the last report, largest rise first.</summary>
    public IReadOnlyList<RiskRiserRow> RiskRisers { get; init; } = [];

    /// <summary>The previous report's "now" (this one's minus the period's length): risk rises are measured from there.</summary>
    public DateTimeOffset PreviousReportAt { get; init; }

    /// <summary>Customers won back in the period.</summary>
    public WonBack WonBack { get; init; } = new(0, 0);

    /// <summary>The end of the period (midnight in the recipient's time zone, as UTC): data health is measured there.</summary>
    public DateTimeOffset PeriodEndUtc { get; init; }

    /// <summary>The currency amounts are converted to (<see cref="ReportsOptions.Currency"/>), or null: as they are.</summary>
    public string? DisplayCurrency { get; init; }

    /// <summary>Rates used for the period's other currencies (units per one <see cref="DisplayCurrency"/>).</summary>
    public IReadOnlyList<(string Code, decimal Rate)> RatesUsed { get; init; } = [];

    /// <summary>Currencies of the period's orders that have no configured rate and are added unconverted.</summary>
    public IReadOnlyList<string> Unconverted { get; init; } = [];
}

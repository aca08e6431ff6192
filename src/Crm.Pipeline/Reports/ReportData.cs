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
    double Clv, double ValueAtRisk, IReadOnlyList<string> Drivers, DateTimeOffset? LastOrder, long Orders, DateTimeOffset? LastContact);

/// <summary>Value at risk of one risk band.</summary>
internal sealed record RiskBandRow(string Band, long Customers, double ValueAtRisk);

/// <summary>Ingest figures of one source.</summary>
internal sealed record SourceHealthRow(
    string Source, long Units, long RowsRead, long RowsLoaded, long Quarantined, long Duplicates, long LoadedRecently, DateTimeOffset? LastLoaded);

/// <summary>A stage that failed recently.</summary>
internal sealed record FailedJobRow(string Stage, long Failures, DateTimeOffset LastFailed, string? LastError);

/// <summary>The churn champion.</summary>
internal sealed record ModelHealth(string Version, string Trainer, double? Auc, DateTimeOffset Since, string? PreviousVersion, double? PreviousAuc, long Challengers);

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
    DateTimeOffset GeneratedAtReal);

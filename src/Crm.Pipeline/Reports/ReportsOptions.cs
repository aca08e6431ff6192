namespace Crm.Pipeline.Reports;

/// <summary>Manager reports: who gets which report, when, and how it is delivered. Bound from <c>Crm:Reports</c>.</summary>
public sealed class ReportsOptions
{
    /// <summary>The report's name; part of the exactly-once key and of the Message-ID.</summary>
    public string ReportName { get; set; } = "manager-summary";

    /// <summary>The managers who receive the report.</summary>
    public List<RecipientOptions> Recipients { get; set; } = [];

    /// <summary>SMTP delivery. No host → reports are written to <see cref="Outbox"/> instead.</summary>
    public SmtpOptions Smtp { get; set; } = new();

    /// <summary>Folder for <c>.eml</c> and <c>.html</c> files when no SMTP host is configured.</summary>
    public string Outbox { get; set; } = ".crm/outbox";

    /// <summary>Business days and holidays: a report never goes out on a non-business day.</summary>
    public BusinessCalendarOptions Calendar { get; set; } = new();

    /// <summary>Days without an order after which a customer counts as lapsed (churned). Default 90.</summary>
    public int ChurnAfterDays { get; set; } = 90;

    /// <summary>Rows in the at-risk table and its CSV attachment. Default 15 in the email, 200 in the CSV.</summary>
    public int AtRiskRows { get; set; } = 15;

    /// <summary>Rows in the at-risk CSV attachment.</summary>
    public int AtRiskCsvRows { get; set; } = 200;

    /// <summary>Rows in "Whose churn risk rose most". Default 10 (1–1000).</summary>
    public int RiskRiserRows { get; set; } = 10;

    /// <summary>Segment scheme shown in the report (<c>ml.customer_segment.scheme</c>). Default <c>rfm</c>.</summary>
    public string SegmentScheme { get; set; } = "rfm";

    /// <summary>
    /// Currency symbol or code shown before amounts. Empty (the default): the symbol of the currency the
    /// scope's orders are in (€ for EUR, $ for USD, …); when they are in several, no symbol and a note.
    /// </summary>
    public string? CurrencySymbol { get; set; }

    /// <summary>
    /// ISO code of the currency the report shows amounts in (e.g. <c>EUR</c>); orders in other currencies are
    /// converted with <see cref="ExchangeRates"/>, and the report says so. Empty: amounts are shown in the
    /// orders' own currency (when a scope's orders are in several, they are added up unconverted and the
    /// report says that instead).
    /// </summary>
    public string? Currency { get; set; }

    /// <summary>
    /// Units of each currency per one unit of <see cref="Currency"/>, e.g. <c>{ "USD": 1.08, "GBP": 0.85 }</c>
    /// for EUR. A currency without a rate is left unconverted, and the report names it.
    /// </summary>
    public Dictionary<string, decimal> ExchangeRates { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// A fixed "now" for the scheduler (ISO 8601), e.g. to render the bundled 1997–98 demo data as of a
    /// date inside it. Empty in production: the real clock is used.
    /// </summary>
    public DateTimeOffset? AsOf { get; set; }

    /// <summary>Sends tried within one run before the delivery waits for a later run. Default 3.</summary>
    public int AttemptsPerRun { get; set; } = 3;

    /// <summary>Back-off between sends within one run, in seconds (doubles each time). Default 2.</summary>
    public double RetryDelaySeconds { get; set; } = 2;

    /// <summary>Total attempts across runs before a delivery is marked a permanent failure. Default 12.</summary>
    public int MaxAttempts { get; set; } = 12;

    /// <summary>Wait before a failed delivery is tried again by a later run, in minutes (doubles, capped at 4 h). Default 5.</summary>
    public double NextRunBackoffMinutes { get; set; } = 5;

    /// <summary>How long a node's claim on a delivery lasts before another node may take it over, in minutes. Default 10.</summary>
    public double ClaimLeaseMinutes { get; set; } = 10;
}

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

/// <summary>One manager and the report they get.</summary>
public sealed class RecipientOptions
{
    /// <summary>Display name, used in the greeting.</summary>
    public string Name { get; set; } = "";

    /// <summary>Email address.</summary>
    public string Address { get; set; } = "";

    /// <summary>IANA time zone, e.g. <c>Europe/Berlin</c>; the schedule is wall-clock time there.</summary>
    public string TimeZone { get; set; } = "UTC";

    /// <summary><c>daily</c>, <c>weekly</c> or <c>monthly</c>.</summary>
    public string Cadence { get; set; } = "weekly";

    /// <summary>For weekly reports: the day it goes out (e.g. <c>Monday</c>).</summary>
    public DayOfWeek Weekday { get; set; } = DayOfWeek.Monday;

    /// <summary>For monthly reports: the day of the month it goes out (1–28). Default 1.</summary>
    public int DayOfMonth { get; set; } = 1;

    /// <summary>Local hour (0–23) the report goes out. Default 8.</summary>
    public int Hour { get; set; } = 8;

    /// <summary>Which customers the report covers. Empty → all.</summary>
    public ReportScopeOptions Scope { get; set; } = new();

    /// <summary>Language of the labels: <c>en</c> (default) or <c>zh</c>.</summary>
    public string Language { get; set; } = "en";

    /// <summary>A fixed "now" for this recipient only (demos over historical data); wins over <see cref="ReportsOptions.AsOf"/>.</summary>
    public DateTimeOffset? AsOf { get; set; }
}

/// <summary>A filter on the customers a report covers; every set field must match.</summary>
public sealed class ReportScopeOptions
{
    /// <summary><c>core.customer.region</c> to keep, or empty for every region.</summary>
    public string? Region { get; set; }

    /// <summary>Current segment (<c>ml.customer_segment</c>) to keep, or empty.</summary>
    public string? Segment { get; set; }

    /// <summary>Sales channel = the order feed name (<c>core."order".feed</c>), or empty.</summary>
    public string? Channel { get; set; }

    /// <summary>A short human description, e.g. "region EU".</summary>
    public override string ToString()
    {
        var parts = new List<string>();
        if (!string.IsNullOrWhiteSpace(Region)) parts.Add("region " + Region);
        if (!string.IsNullOrWhiteSpace(Segment)) parts.Add("segment " + Segment);
        if (!string.IsNullOrWhiteSpace(Channel)) parts.Add("channel " + Channel);
        return parts.Count == 0 ? "all customers" : string.Join(", ", parts);
    }
}

/// <summary>SMTP settings. The password comes from configuration or the environment (<c>Crm__Reports__Smtp__Password</c>) and is never logged.</summary>
public sealed class SmtpOptions
{
    /// <summary>Server host name. Empty → no SMTP, reports go to the outbox folder.</summary>
    public string? Host { get; set; }

    /// <summary>Port. Default 587.</summary>
    public int Port { get; set; } = 587;

    /// <summary><c>none</c>, <c>starttls</c> (default) or <c>ssl</c> (implicit TLS).</summary>
    public string Security { get; set; } = "starttls";

    /// <summary>MailKit's socket options for <see cref="Security"/> (none, ssl/tls, else STARTTLS).</summary>
    public MailKit.Security.SecureSocketOptions SocketOptions => Security.ToLowerInvariant() switch
    {
        "none" => MailKit.Security.SecureSocketOptions.None,
        "ssl" or "tls" => MailKit.Security.SecureSocketOptions.SslOnConnect,
        _ => MailKit.Security.SecureSocketOptions.StartTls,
    };

    /// <summary>User name; empty → no authentication.</summary>
    public string? User { get; set; }

    /// <summary>Password (secret).</summary>
    public string? Password { get; set; }

    /// <summary>Sender address, e.g. <c>reports@example.com</c>.</summary>
    public string From { get; set; } = "crm-reports@localhost";

    /// <summary>Sender display name.</summary>
    public string FromName { get; set; } = "Crm reports";

    /// <summary>Validate the server's TLS certificate (default on; turn off only for a lab server).</summary>
    public bool ValidateCertificate { get; set; } = true;

    /// <summary>Connect/command timeout in seconds. Default 60.</summary>
    public int TimeoutSeconds { get; set; } = 60;
}

/// <summary>Which days are business days.</summary>
public sealed class BusinessCalendarOptions
{
    /// <summary>Non-business weekdays. Unset → Saturday and Sunday; an empty list → every day is a business day.</summary>
    public List<DayOfWeek>? Weekend { get; set; }

    /// <summary>Holidays (local dates, <c>yyyy-MM-dd</c>).</summary>
    public List<DateOnly> Holidays { get; set; } = [];
}

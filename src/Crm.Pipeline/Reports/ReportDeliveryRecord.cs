namespace Crm.Pipeline.Reports;

/// <summary>One row of the report archive (<c>ops.report_delivery</c>), without the stored bodies.</summary>
/// <param name="DeliveryId">The row id.</param>
/// <param name="Report">Report name.</param>
/// <param name="PeriodKey">The period.</param>
/// <param name="Recipient">Recipient address.</param>
/// <param name="RecipientName">Recipient name.</param>
/// <param name="Status">pending | sent | failed | permanent-failure.</param>
/// <param name="Attempts">Send attempts so far.</param>
/// <param name="MessageId">The Message-ID.</param>
/// <param name="Transport">smtp | outbox.</param>
/// <param name="Subject">Subject line.</param>
/// <param name="SentAt">When it was sent.</param>
/// <param name="Error">Last error.</param>
/// <param name="ResendOf">The original delivery, for an admin's resend.</param>
/// <param name="RequestedBy">Who asked for the resend.</param>
/// <param name="EmlPath">Outbox .eml path.</param>
/// <param name="HtmlPath">Outbox .html path.</param>
/// <param name="CreatedAt">When the row was created.</param>
public sealed record ReportDeliveryRecord(
    long DeliveryId, string Report, string PeriodKey, string Recipient, string? RecipientName, string Status, int Attempts,
    string MessageId, string? Transport, string? Subject, DateTimeOffset? SentAt, string? Error, long? ResendOf,
    string? RequestedBy, string? EmlPath, string? HtmlPath, DateTimeOffset CreatedAt);

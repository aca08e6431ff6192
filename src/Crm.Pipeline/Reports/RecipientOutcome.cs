namespace Crm.Pipeline.Reports;

/// <summary>What one run of the report stage did for one recipient.</summary>
/// <param name="Recipient">The recipient's address.</param>
/// <param name="PeriodKey">The period considered (<c>cadence:start..end</c>), or null when none could be computed.</param>
/// <param name="Status"><c>sent</c>, <c>skipped</c> or <c>failed</c>.</param>
/// <param name="Reason">Why it was skipped or failed; for sent, where it went.</param>
/// <param name="DeliveryId">The <c>ops.report_delivery</c> row, when there is one.</param>
/// <param name="EmlPath">The outbox <c>.eml</c> file, when written to the outbox (in this run, or earlier for "already sent").</param>
/// <param name="HtmlPath">The outbox <c>.html</c> file, likewise.</param>
public sealed record RecipientOutcome(string Recipient, string? PeriodKey, string Status, string Reason, long? DeliveryId, string? EmlPath, string? HtmlPath);

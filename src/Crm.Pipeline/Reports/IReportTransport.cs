using MimeKit;

namespace Crm.Pipeline.Reports;

/// <summary>Where a report goes: an SMTP server, or the outbox folder when none is configured.</summary>
internal interface IReportTransport
{
    /// <summary><c>smtp</c> or <c>outbox</c>, recorded on the delivery row.</summary>
    string Name { get; }

    /// <summary>
    /// Delivers <paramref name="message"/>. Throws <see cref="PermanentDeliveryException"/> when retrying cannot
    /// help (the server answered 5xx); any other exception is treated as transient.
    /// </summary>
    Task<DeliveredFiles> SendAsync(MimeMessage message, string archiveHtml, string fileStem, CancellationToken cancellationToken);
}

/// <summary>Files written for a delivery (outbox only).</summary>
internal sealed record DeliveredFiles(string? EmlPath, string? HtmlPath);

/// <summary>The server refused the message for good (a 5xx reply); retrying will not help.</summary>
internal sealed class PermanentDeliveryException : Exception
{
    public PermanentDeliveryException(string message, Exception inner) : base(message, inner)
    {
    }
}

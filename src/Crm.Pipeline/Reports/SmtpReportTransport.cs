using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Crm.Pipeline.Reports;

/// <summary>Sends through an SMTP server with MailKit: STARTTLS or implicit TLS, authentication, certificate validation on by default.</summary>
internal sealed class SmtpReportTransport : IReportTransport
{
    private readonly SmtpOptions _options;

    public SmtpReportTransport(SmtpOptions options) => _options = options;

    public string Name => "smtp";

    public async Task<DeliveredFiles> SendAsync(MimeMessage message, string archiveHtml, string fileStem, CancellationToken cancellationToken)
    {
        using var client = new SmtpClient { Timeout = _options.TimeoutSeconds * 1000 };
        if (!_options.ValidateCertificate)
        {
            // Only when an operator turned validation off for a lab server (Crm:Reports:Smtp:ValidateCertificate=false).
            client.ServerCertificateValidationCallback = (_, _, _, _) => true;
        }

        var security = _options.SocketOptions;
        try
        {
            await client.ConnectAsync(_options.Host!, _options.Port, security, cancellationToken).ConfigureAwait(false);
            if (!string.IsNullOrEmpty(_options.User))
            {
                await client.AuthenticateAsync(_options.User, _options.Password ?? "", cancellationToken).ConfigureAwait(false);
            }

            await client.SendAsync(message, cancellationToken).ConfigureAwait(false);
            await client.DisconnectAsync(true, cancellationToken).ConfigureAwait(false);
        }
        catch (SmtpCommandException e) when ((int)e.StatusCode >= 500)
        {
            throw new PermanentDeliveryException($"SMTP server refused the message: {(int)e.StatusCode} {e.Message}", e);
        }

        return new DeliveredFiles(null, null);
    }
}

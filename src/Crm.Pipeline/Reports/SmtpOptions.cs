namespace Crm.Pipeline.Reports;

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

namespace Crm.Pipeline.Sources.Email;

/// <summary>How the IMAP connection is secured.</summary>
public enum ImapTlsMode
{
    /// <summary>Plain text (tests and trusted loopback only).</summary>
    None,

    /// <summary>Plain connect, then STARTTLS (required).</summary>
    StartTls,

    /// <summary>TLS from the first byte (port 993).</summary>
    Ssl,
}

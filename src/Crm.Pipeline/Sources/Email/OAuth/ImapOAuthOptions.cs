namespace Crm.Pipeline.Sources.Email.OAuth;

/// <summary>
/// How an IMAP account gets its OAuth2 access tokens (<c>Crm:Email:Imap:Accounts:N:OAuth</c>), for the
/// providers <c>m365</c>, <c>google</c> and <c>generic</c>. Secrets are read from an environment variable or a
/// file that only the service user can read, at the moment a token is needed; they are never logged.
/// </summary>
public sealed class ImapOAuthOptions
{
    /// <summary>The OAuth2 client (application) id.</summary>
    public string? ClientId { get; set; }

    /// <summary>A file holding the client secret (mode 0600 or stricter).</summary>
    public string? ClientSecretFile { get; set; }

    /// <summary>An environment variable holding the client secret.</summary>
    public string? ClientSecretEnvironmentVariable { get; set; }

    /// <summary><c>generic</c>, <c>google</c> (installed app): a file holding the refresh token (mode 0600); a rotated token is written back to it.</summary>
    public string? RefreshTokenFile { get; set; }

    /// <summary><c>generic</c>, <c>google</c> (installed app): an environment variable holding the refresh token.</summary>
    public string? RefreshTokenEnvironmentVariable { get; set; }

    /// <summary><c>generic</c>: the token endpoint. <c>google</c> with a refresh token: https://oauth2.googleapis.com/token when unset.</summary>
    public string? TokenEndpoint { get; set; }

    /// <summary>The scope asked for; unset, each provider's IMAP scope (m365: https://outlook.office365.com/.default, google: https://mail.google.com/).</summary>
    public string? Scope { get; set; }

    /// <summary><c>m365</c>: the directory (tenant) id or domain.</summary>
    public string? TenantId { get; set; }

    /// <summary><c>m365</c>: a certificate with its private key (PFX/PKCS#12, or PEM with the key) instead of a client secret.</summary>
    public string? CertificateFile { get; set; }

    /// <summary><c>m365</c>: an environment variable holding the certificate file's password, if it has one.</summary>
    public string? CertificatePasswordEnvironmentVariable { get; set; }

    /// <summary><c>m365</c>: the Microsoft Entra sign-in host (another cloud's, e.g. https://login.microsoftonline.us).</summary>
    public string AuthorityHost { get; set; } = "https://login.microsoftonline.com";

    /// <summary><c>google</c>: the service account's JSON key file (mode 0600), for domain-wide delegation to the account's User.</summary>
    public string? ServiceAccountKeyFile { get; set; }
}

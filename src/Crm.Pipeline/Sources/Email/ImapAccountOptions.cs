using Crm.Pipeline.Sources.Email.OAuth;

namespace Crm.Pipeline.Sources.Email;

/// <summary>
/// One IMAP mailbox. The password or OAuth2 token comes from configuration (a secret store, user
/// secrets, an environment-bound key) or from a named environment variable; it is never logged.
/// </summary>
public sealed class ImapAccountOptions
{
    /// <summary>The account's name, unique; it is part of every ledger unit key.</summary>
    public string Name { get; set; } = "";

    /// <summary>Server host name; for the m365 and google providers, their IMAP host when unset.</summary>
    public string Host
    {
        get => string.IsNullOrEmpty(_host) ? ImapProvider.PresetHost(Provider) ?? "" : _host;
        set => _host = value;
    }

    private string _host = "";

    /// <summary>Server port (0: 993 for <see cref="ImapTlsMode.Ssl"/>, else 143).</summary>
    public int Port { get; set; }

    /// <summary>Connection security.</summary>
    public ImapTlsMode Tls { get; set; } = ImapTlsMode.Ssl;

    /// <summary>User name.</summary>
    public string User { get; set; } = "";

    /// <summary>Password from configuration (bind it from a secret store, never from a committed file).</summary>
    public string? Password { get; set; }

    /// <summary>Name of an environment variable holding the password.</summary>
    public string? PasswordEnvironmentVariable { get; set; }

    /// <summary>OAuth2 access token from configuration (XOAUTH2/OAUTHBEARER instead of a password).</summary>
    public string? AccessToken { get; set; }

    /// <summary>Name of an environment variable holding the OAuth2 access token.</summary>
    public string? AccessTokenEnvironmentVariable { get; set; }

    /// <summary>Folders to read (default INBOX). Add the sent folder ("Sent", "Sent Items", "[Gmail]/Sent Mail") so threads hold the staff's replies.</summary>
    public List<string> Folders { get; set; } = [];

    /// <summary>
    /// How the account signs in: <c>password</c> (a password or a static access token, the default), <c>m365</c>
    /// (Microsoft 365 app-only, client credentials), <c>google</c> (service account with domain-wide delegation, or
    /// an installed app's refresh token) or <c>generic</c> (the refresh-token grant against any token endpoint).
    /// <c>m365</c> and <c>google</c> fill in Host (outlook.office365.com, imap.gmail.com), TLS and port 993.
    /// </summary>
    public string Provider { get; set; } = ImapProvider.Password;

    /// <summary>The OAuth2 settings of the m365, google and generic providers.</summary>
    public ImapOAuthOptions OAuth { get; set; } = new();

    /// <summary>A PEM file with a private CA that the IMAP server's and the token endpoint's certificates may be signed by.</summary>
    public string? CaCertificateFile { get; set; }

    /// <summary>Server certificate validation; turn off only for tests against a self-signed server.</summary>
    public bool ValidateCertificate { get; set; } = true;

    /// <summary>
    /// Opt-in: after a batch is committed, move its messages to this folder (opens folders
    /// read-write). Empty: read-only (EXAMINE and BODY.PEEK, no flag changes).
    /// </summary>
    public string? MoveProcessedTo { get; set; }

    /// <summary>Messages per ledger unit (one transaction each).</summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>Network timeout per command, in seconds.</summary>
    public int TimeoutSeconds { get; set; } = 60;

    /// <summary>Attempts for a transient failure (connection drop, timeout, throttling) before the sync fails.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>First back-off delay in milliseconds; doubles per attempt, capped at 30 seconds.</summary>
    public int RetryDelayMilliseconds { get; set; } = 1000;

    /// <summary>
    /// The staff's sent mail, read too so that threads hold both sides and first-response times come from real
    /// replies: <c>auto</c> (the default: the folder the server marks \Sent, when it marks one), a folder name, or
    /// <c>none</c>. It is always read-only, whatever <see cref="MoveProcessedTo"/> says.
    /// </summary>
    public string SentFolder { get; set; } = "auto";

    /// <summary>The folders to read, INBOX when none are configured.</summary>
    internal IReadOnlyList<string> FoldersOrInbox => Folders.Count > 0 ? Folders : ["INBOX"];

    /// <summary>The effective port: <see cref="Port"/>, else 993 for <see cref="ImapTlsMode.Ssl"/> and 143 otherwise.</summary>
    public int EffectivePort => Port > 0 ? Port : Tls == ImapTlsMode.Ssl ? 993 : 143;

    /// <summary>MailKit's socket options for <see cref="Tls"/>.</summary>
    public MailKit.Security.SecureSocketOptions SocketOptions => Tls switch
    {
        ImapTlsMode.None => MailKit.Security.SecureSocketOptions.None,
        ImapTlsMode.StartTls => MailKit.Security.SecureSocketOptions.StartTls,
        _ => MailKit.Security.SecureSocketOptions.SslOnConnect,
    };

    /// <summary>Resolves the secret: (password, token); exactly one is set. Throws when none is configured.</summary>
    internal (string? Password, string? Token) ResolveSecret()
    {
        var token = AccessToken;
        if (string.IsNullOrEmpty(token) && !string.IsNullOrEmpty(AccessTokenEnvironmentVariable))
        {
            token = Environment.GetEnvironmentVariable(AccessTokenEnvironmentVariable);
        }

        if (!string.IsNullOrEmpty(token))
        {
            return (null, token);
        }

        var password = Password;
        if (string.IsNullOrEmpty(password) && !string.IsNullOrEmpty(PasswordEnvironmentVariable))
        {
            password = Environment.GetEnvironmentVariable(PasswordEnvironmentVariable);
        }

        if (string.IsNullOrEmpty(password))
        {
            throw new InvalidOperationException(
                $"IMAP account '{Name}' has no secret: set Crm:Email:Imap:Accounts:N:Password or AccessToken (from a secret store), " +
                $"or name an environment variable in PasswordEnvironmentVariable / AccessTokenEnvironmentVariable" +
                (PasswordEnvironmentVariable is { Length: > 0 } v ? $" (environment variable '{v}' is empty or unset)." : "."));
        }

        return (password, null);
    }

    /// <summary>Never prints the secret.</summary>
    public override string ToString() => $"{Name} ({User}@{Host}:{EffectivePort}, {Tls})";
}

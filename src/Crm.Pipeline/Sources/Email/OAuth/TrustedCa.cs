using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Crm.Pipeline.Sources.Email.OAuth;

/// <summary>
/// Certificate validation against a private CA (<c>CaCertificateFile</c>) as well as the system's roots, for
/// a company's own IMAP server and token endpoint. The host name must still match.
/// </summary>
internal sealed class TrustedCa
{
    private readonly X509Certificate2Collection _roots = [];

    private TrustedCa(string file) => _roots.ImportFromPemFile(file);

    /// <summary>The CA from a PEM file, or null when none is configured.</summary>
    public static TrustedCa? From(string account, string? file)
    {
        if (string.IsNullOrEmpty(file))
        {
            return null;
        }

        if (!File.Exists(file))
        {
            throw new ImapSyncException($"IMAP account '{account}': CaCertificateFile '{file}' does not exist; fix the path or remove the setting.");
        }

        return new TrustedCa(file);
    }

    /// <summary>A validation callback for MailKit and HttpClient.</summary>
    public bool Validate(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
        {
            return false;
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(_roots);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            custom.ChainPolicy.ExtraStore.AddRange(chain.ChainElements.Select(e => e.Certificate).ToArray());
        }

        using var leaf = new X509Certificate2(certificate);
        return custom.Build(leaf);
    }

    /// <summary>An HTTP handler that trusts the CA too.</summary>
    public HttpMessageHandler Handler() => new SocketsHttpHandler
    {
        SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, c, ch, e) => Validate(c, ch, e) },
    };
}

using System.Security.Cryptography.X509Certificates;
using Microsoft.Identity.Client;

namespace Crm.Pipeline.Sources.Email.OAuth;

/// <summary>
/// Microsoft 365 app-only tokens: the client-credentials flow with MSAL (Microsoft.Identity.Client), a client
/// secret or a certificate, scope <c>https://outlook.office365.com/.default</c>. MSAL caches the token and
/// fetches a new one before it expires. The app needs the Office 365 Exchange Online permission
/// <c>IMAP.AccessAsApp</c> and, in Exchange, a service principal with access to the mailbox.
/// </summary>
internal sealed class MicrosoftAppOnly : IAccessTokenSource
{
    private readonly string _account;
    private readonly string[] _scopes;
    private readonly IConfidentialClientApplication _app;

    public MicrosoftAppOnly(string account, ImapOAuthOptions options, string scope, HttpMessageHandler? handler, TimeSpan timeout)
    {
        _account = account;
        _scopes = [scope];
        var builder = ConfidentialClientApplicationBuilder.Create(options.ClientId)
            .WithAuthority($"{options.AuthorityHost.TrimEnd('/')}/{options.TenantId}", validateAuthority: false)
            .WithInstanceDiscovery(false)
            .WithHttpClientFactory(new Factory(handler, timeout));
        if (!string.IsNullOrEmpty(options.CertificateFile))
        {
            builder = builder.WithCertificate(LoadCertificate(account, options));
        }
        else
        {
            var secret = SecretSource.Read(account, "OAuth:ClientSecret", options.ClientSecretFile, options.ClientSecretEnvironmentVariable)
                ?? throw new ImapSyncException($"IMAP account '{account}': m365 needs OAuth:ClientSecretFile, OAuth:ClientSecretEnvironmentVariable or OAuth:CertificateFile.");
            builder = builder.WithClientSecret(secret);
        }

        _app = builder.Build();
    }

    public async Task<string> GetAsync(bool forceRefresh, CancellationToken cancellationToken)
    {
        try
        {
            var result = await _app.AcquireTokenForClient(_scopes).WithForceRefresh(forceRefresh).ExecuteAsync(cancellationToken).ConfigureAwait(false);
            return result.AccessToken;
        }
        catch (MsalServiceException e) when (e.IsRetryable || e.StatusCode >= 500)
        {
            throw new HttpRequestException($"Microsoft sign-in answered {e.StatusCode} ({e.ErrorCode})", e);
        }
        catch (MsalException e)
        {
            throw new ImapSyncException(
                $"IMAP account '{_account}': Microsoft sign-in refused the app ({e.ErrorCode}: {FirstLine(e.Message)}). " +
                "Check OAuth:TenantId, OAuth:ClientId and the secret or certificate, and that the app has the IMAP.AccessAsApp permission with admin consent.", e);
        }
    }

    private static X509Certificate2 LoadCertificate(string account, ImapOAuthOptions options)
    {
        SecretSource.CheckPrivate(account, "OAuth:CertificateFile", options.CertificateFile!);
        var password = string.IsNullOrEmpty(options.CertificatePasswordEnvironmentVariable) ? null : Environment.GetEnvironmentVariable(options.CertificatePasswordEnvironmentVariable);
        var extension = Path.GetExtension(options.CertificateFile!).ToLowerInvariant();
        try
        {
            return extension is ".pfx" or ".p12"
                ? X509CertificateLoader.LoadPkcs12FromFile(options.CertificateFile!, password)
                : X509Certificate2.CreateFromPemFile(options.CertificateFile!);
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw new ImapSyncException($"IMAP account '{account}': OAuth:CertificateFile '{options.CertificateFile}' is not a certificate with its private key ({e.Message}); use a PFX file or a PEM file holding both.", e);
        }
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();

    /// <summary>MSAL's HTTP client, trusting the account's private CA when it has one.</summary>
    private sealed class Factory(HttpMessageHandler? handler, TimeSpan timeout) : IMsalHttpClientFactory
    {
        private readonly HttpClient _client = new(handler ?? new SocketsHttpHandler()) { Timeout = timeout };

        public HttpClient GetHttpClient() => _client;
    }
}

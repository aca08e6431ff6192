using System.Text.Json;
using Google.Apis.Auth.OAuth2;
using Google.Apis.Auth.OAuth2.Responses;

namespace Crm.Pipeline.Sources.Email.OAuth;

/// <summary>
/// Google Workspace: a service account with domain-wide delegation (Google.Apis.Auth) impersonating the
/// account's User, scope <c>https://mail.google.com/</c>. The key file's <c>token_uri</c> is where tokens
/// come from; the library caches them and fetches a new one before it expires.
/// </summary>
internal sealed class GoogleServiceAccount : IAccessTokenSource
{
    private readonly string _account;
    private readonly ServiceAccountCredential _credential;

    public GoogleServiceAccount(string account, string user, ImapOAuthOptions options, string scope, Func<HttpMessageHandler>? handler)
    {
        _account = account;
        var file = options.ServiceAccountKeyFile!;
        SecretSource.CheckPrivate(account, "OAuth:ServiceAccountKeyFile", file);
        string email, key, tokenUri;
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllText(file));
            var root = json.RootElement;
            email = root.GetProperty("client_email").GetString()!;
            key = root.GetProperty("private_key").GetString()!;
            tokenUri = root.TryGetProperty("token_uri", out var t) && t.GetString() is { Length: > 0 } u ? u : GoogleAuthConsts.OidcTokenUrl;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new ImapSyncException($"IMAP account '{account}': OAuth:ServiceAccountKeyFile '{file}' is not a service account's JSON key (it needs client_email and private_key); download a new key in the Google Cloud console.", e);
        }

        var initializer = new ServiceAccountCredential.Initializer(email, tokenUri) { User = user, Scopes = [scope] };
        if (handler is not null)
        {
            initializer.HttpClientFactory = new Factory(handler);
        }

        _credential = new ServiceAccountCredential(initializer.FromPrivateKey(key));
    }

    public async Task<string> GetAsync(bool forceRefresh, CancellationToken cancellationToken)
    {
        try
        {
            if (forceRefresh)
            {
                await _credential.RequestAccessTokenAsync(cancellationToken).ConfigureAwait(false);
                return _credential.Token.AccessToken;
            }

            return await _credential.GetAccessTokenForRequestAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (TokenResponseException e) when (e.StatusCode is null || (int)e.StatusCode < 500)
        {
            throw new ImapSyncException(
                $"IMAP account '{_account}': Google refused the service account's token ({e.Error?.Error}: {e.Error?.ErrorDescription}). " +
                "Check that domain-wide delegation is granted to the service account's client id with the scope https://mail.google.com/ and that the account's User is a mailbox of the domain.", e);
        }
        catch (TokenResponseException e)
        {
            throw new HttpRequestException($"Google's token endpoint answered {(int)e.StatusCode!}", e);
        }
    }

    /// <summary>Google's HTTP client, trusting the account's private CA when it has one.</summary>
    private sealed class Factory(Func<HttpMessageHandler> handler) : Google.Apis.Http.HttpClientFactory
    {
        protected override HttpMessageHandler CreateHandler(Google.Apis.Http.CreateHttpClientArgs args) => handler();
    }
}

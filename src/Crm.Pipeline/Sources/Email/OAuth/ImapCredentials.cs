using System.Collections.Concurrent;
using System.Text.Json;

namespace Crm.Pipeline.Sources.Email.OAuth;

/// <summary>
/// The secret an IMAP account signs in with: its password or static token, or an OAuth2 access token that
/// its provider fetches and caches for the life of the service (one token source per account, replaced when
/// the account's settings change).
/// </summary>
public sealed class ImapCredentials : IDisposable
{
    private readonly ConcurrentDictionary<string, (string Settings, IAccessTokenSource Source)> _sources = new(StringComparer.Ordinal);

    /// <summary>(password, token) for <paramref name="account"/>: exactly one is set.</summary>
    /// <exception cref="ImapSyncException">No secret is configured, or the provider refused.</exception>
    /// <exception cref="HttpRequestException">The token endpoint is unreachable or failing: worth a retry.</exception>
    public async Task<(string? Password, string? Token)> ResolveAsync(ImapAccountOptions account, bool forceRefresh, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        if (!ImapProvider.FetchesTokens(account.Provider))
        {
            try
            {
                return account.ResolveSecret();
            }
            catch (InvalidOperationException e)
            {
                throw new ImapSyncException(e.Message, e);
            }
        }

        var settings = JsonSerializer.Serialize(new { account.Provider, account.User, account.CaCertificateFile, account.TimeoutSeconds, account.OAuth });
        var entry = _sources.AddOrUpdate(
            account.Name,
            _ => (settings, Create(account)),
            (_, existing) => existing.Settings == settings ? existing : (settings, Create(account)));
        return (null, await entry.Source.GetAsync(forceRefresh, cancellationToken).ConfigureAwait(false));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var (_, source) in _sources.Values)
        {
            (source as IDisposable)?.Dispose();
        }
    }

    private static IAccessTokenSource Create(ImapAccountOptions account)
    {
        var o = account.OAuth;
        var ca = TrustedCa.From(account.Name, account.CaCertificateFile);
        var timeout = TimeSpan.FromSeconds(Math.Max(1, account.TimeoutSeconds));
        switch (account.Provider.ToLowerInvariant())
        {
            case ImapProvider.Microsoft365:
                return new MicrosoftAppOnly(account.Name, o, o.Scope ?? "https://outlook.office365.com/.default", ca?.Handler(), timeout);
            case ImapProvider.Google when !string.IsNullOrEmpty(o.ServiceAccountKeyFile):
                return new GoogleServiceAccount(account.Name, account.User, o, o.Scope ?? "https://mail.google.com/", ca is null ? null : ca.Handler);
            case ImapProvider.Google:
                return new RefreshTokenGrant(account.Name, new Uri(o.TokenEndpoint ?? "https://oauth2.googleapis.com/token"), o, o.Scope ?? "https://mail.google.com/", ca?.Handler(), timeout);
            default:
                return new RefreshTokenGrant(account.Name, new Uri(o.TokenEndpoint!), o, o.Scope ?? "", ca?.Handler(), timeout);
        }
    }
}

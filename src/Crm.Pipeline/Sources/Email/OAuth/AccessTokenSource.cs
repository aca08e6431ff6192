namespace Crm.Pipeline.Sources.Email.OAuth;

/// <summary>Fetches an account's OAuth2 access token, cached until shortly before it expires.</summary>
internal interface IAccessTokenSource
{
    /// <summary>A token that is valid now; <paramref name="forceRefresh"/> fetches a new one (after the server refused the cached one).</summary>
    /// <exception cref="ImapSyncException">The provider refused: a revoked or wrong secret, or a missing permission. Not worth retrying.</exception>
    /// <exception cref="HttpRequestException">The token endpoint could not be reached or failed (5xx): worth a retry.</exception>
    Task<string> GetAsync(bool forceRefresh, CancellationToken cancellationToken);
}

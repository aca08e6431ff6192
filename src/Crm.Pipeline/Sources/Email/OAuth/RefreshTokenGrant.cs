using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Crm.Pipeline.Sources.Email.OAuth;

/// <summary>
/// The OAuth2 refresh-token grant (RFC 6749 §6) against any token endpoint: the <c>generic</c> provider, and
/// <c>google</c> with an installed app's refresh token. A rotated refresh token is kept, and written back to
/// <see cref="ImapOAuthOptions.RefreshTokenFile"/> when the token came from that file. No library is used:
/// the grant is one form POST, and MSAL and Google.Apis.Auth cover only their own providers.
/// </summary>
internal sealed class RefreshTokenGrant : IAccessTokenSource, IDisposable
{
    private readonly string _account;
    private readonly Uri _endpoint;
    private readonly ImapOAuthOptions _options;
    private readonly string _scope;
    private readonly HttpClient _http;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private string? _refreshToken;
    private string? _token;
    private DateTimeOffset _refreshAt;

    public RefreshTokenGrant(string account, Uri endpoint, ImapOAuthOptions options, string scope, HttpMessageHandler? handler, TimeSpan timeout)
    {
        _account = account;
        _endpoint = endpoint;
        _options = options;
        _scope = scope;
        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: true);
        _http.Timeout = timeout;
    }

    public async Task<string> GetAsync(bool forceRefresh, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!forceRefresh && _token is not null && DateTimeOffset.UtcNow < _refreshAt)
            {
                return _token;
            }

            _refreshToken ??= SecretSource.Read(_account, "OAuth:RefreshToken", _options.RefreshTokenFile, _options.RefreshTokenEnvironmentVariable)
                ?? throw new ImapSyncException($"IMAP account '{_account}': set OAuth:RefreshTokenFile or OAuth:RefreshTokenEnvironmentVariable for the refresh-token grant.");
            var form = new Dictionary<string, string>
            {
                ["grant_type"] = "refresh_token",
                ["refresh_token"] = _refreshToken,
                ["client_id"] = _options.ClientId ?? "",
                ["scope"] = _scope,
            };
            if (SecretSource.Read(_account, "OAuth:ClientSecret", _options.ClientSecretFile, _options.ClientSecretEnvironmentVariable) is { } secret)
            {
                form["client_secret"] = secret;
            }

            using var content = new FormUrlEncodedContent(form);
            using var response = await _http.PostAsync(_endpoint, content, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if ((int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                throw new HttpRequestException($"the token endpoint {_endpoint} answered {(int)response.StatusCode}", null, response.StatusCode);
            }

            using var json = Parse(body);
            var root = json?.RootElement;
            if (!response.IsSuccessStatusCode || root is null || !root.Value.TryGetProperty("access_token", out var accessToken) || accessToken.GetString() is not { Length: > 0 } token)
            {
                var error = root is { } r && r.TryGetProperty("error", out var e) ? e.GetString() : null;
                var description = root is { } d && d.TryGetProperty("error_description", out var ed) ? " — " + ed.GetString() : "";
                throw new ImapSyncException(
                    $"IMAP account '{_account}': the token endpoint {_endpoint} refused the refresh token ({(int)response.StatusCode} {error ?? "no access_token in the answer"}{description}). " +
                    "If it was revoked or has expired, sign in again and store the new refresh token in the configured OAuth:RefreshTokenFile or variable.");
            }

            var lifetime = root.Value.TryGetProperty("expires_in", out var expires) && TryInt(expires, out var seconds) ? TimeSpan.FromSeconds(seconds) : TimeSpan.FromHours(1);
            // Refresh a little before the end: a tenth of the lifetime, at most five minutes.
            _refreshAt = DateTimeOffset.UtcNow + lifetime - TimeSpan.FromTicks(Math.Min(lifetime.Ticks / 10, TimeSpan.FromMinutes(5).Ticks));
            _token = token;
            if (root.Value.TryGetProperty("refresh_token", out var rotated) && rotated.GetString() is { Length: > 0 } next && next != _refreshToken)
            {
                _refreshToken = next;
                Keep(next);
            }

            return token;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        _gate.Dispose();
    }

    /// <summary>Writes a rotated refresh token back to its file (0600, atomically), so a restart uses the live one.</summary>
    private void Keep(string refreshToken)
    {
        if (string.IsNullOrEmpty(_options.RefreshTokenFile) || !string.IsNullOrEmpty(_options.RefreshTokenEnvironmentVariable))
        {
            return;
        }

        var temp = _options.RefreshTokenFile + ".new";
        using (var stream = new FileStream(temp, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = OperatingSystem.IsWindows() ? null : UnixFileMode.UserRead | UnixFileMode.UserWrite }))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(refreshToken);
        }

        File.Move(temp, _options.RefreshTokenFile, overwrite: true);
    }

    private static JsonDocument? Parse(string body)
    {
        try
        {
            return JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool TryInt(JsonElement e, out int value)
    {
        value = 0;
        return e.ValueKind == JsonValueKind.Number ? e.TryGetInt32(out value)
            : e.ValueKind == JsonValueKind.String && int.TryParse(e.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out value);
    }
}

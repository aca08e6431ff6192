using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Crm.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Crm.IntegrationTests.Email;

/// <summary>
/// An OAuth2 authorization server on loopback, written from the documented request and response shapes:
/// the refresh-token grant (RFC 6749 §6), Microsoft's client-credentials token endpoint
/// (<c>/{tenant}/oauth2/v2.0/token</c>), Google's JWT-bearer grant for service accounts (RFC 7523, the
/// assertion signed RS256 by the service account's key), Microsoft's certificate credential (a client assertion,
/// RFC 7523 §2.2, signed by the app's certificate and naming it by thumbprint in <c>x5t</c> or <c>x5t#S256</c>), and token introspection (RFC 7662) for Dovecot's
/// <c>passdb oauth2</c>. Tokens live <see cref="TokenLifetime"/>; the test can revoke them.
/// </summary>
public sealed class TokenServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, (string User, DateTimeOffset Expires)> _tokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _refreshTokens = new(StringComparer.Ordinal);

    private TokenServer(WebApplication app, int httpsPort, int httpPort)
    {
        _app = app;
        HttpsPort = httpsPort;
        HttpPort = httpPort;
    }

    public int HttpsPort { get; }

    /// <summary>The claims of the last JWT assertion received.</summary>
    public string? LastClaims { get; private set; }

    public int HttpPort { get; }

    /// <summary>How long an issued access token stays active.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The client id and secret the endpoints accept.</summary>
    public string ClientId { get; } = "crm-test-client";

    public string ClientSecret { get; } = "client-secret-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>The service account's key pair (Google); the server checks assertions with its public half.</summary>
    public RSA ServiceAccountKey { get; } = RSA.Create(2048);

    public string ServiceAccountEmail => "crm-sync@crm-test.iam.gserviceaccount.com";

    /// <summary>The Entra app's certificate with its private key, as an admin would upload its public half.</summary>
    public X509Certificate2 AppCertificate { get; } = CreateAppCertificate();

    /// <summary>The JOSE header of the last client assertion received (Microsoft certificate credential).</summary>
    public string? LastAssertionHeader { get; private set; }

    /// <summary>Every token request, by endpoint ("generic", "m365", "google").</summary>
    public ConcurrentQueue<string> Issued { get; } = new();

    /// <summary>Every form the endpoints received, by endpoint, to check what the clients sent.</summary>
    public ConcurrentQueue<(string Endpoint, Dictionary<string, string> Form)> Requests { get; } = new();

    public string GenericEndpoint => $"https://127.0.0.1:{HttpsPort}/generic/token";

    public string AuthorityHost => $"https://127.0.0.1:{HttpsPort}";

    public string GoogleTokenUri => $"https://127.0.0.1:{HttpsPort}/google/token";

    public string IntrospectionUrl => $"http://127.0.0.1:{HttpPort}/introspect";

    public static async Task<TokenServer> StartAsync(TestCa ca)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var httpsPort = FreePort.Next();
        var httpPort = FreePort.Next();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, httpsPort, l => l.UseHttps(ca.Server));
            k.Listen(IPAddress.Loopback, httpPort);
        });
        var app = builder.Build();
        var server = new TokenServer(app, httpsPort, httpPort);
        app.MapPost("/generic/token", (Delegate)server.RefreshGrantAsync);
        app.MapPost("/{tenant}/oauth2/v2.0/token", (Delegate)server.ClientCredentialsAsync);
        app.MapPost("/google/token", (Delegate)server.JwtBearerAsync);
        app.MapPost("/introspect", (Delegate)server.IntrospectAsync);
        await app.StartAsync();
        return server;
    }

    /// <summary>A refresh token that the generic endpoint accepts for <paramref name="user"/>.</summary>
    public string AddRefreshToken(string user)
    {
        var token = "rt-" + Guid.NewGuid().ToString("N");
        _refreshTokens[token] = user;
        return token;
    }

    public void RevokeRefreshToken(string token) => _refreshTokens.TryRemove(token, out _);

    /// <summary>Revokes every access token issued so far (as an admin's "sign out everywhere" does).</summary>
    public void RevokeAccessTokens() => _tokens.Clear();

    /// <summary>Whether every token issued so far has expired.</summary>
    public bool AllExpired => _tokens.Values.All(t => t.Expires <= DateTimeOffset.UtcNow);

    /// <summary>A Google service account key file pointing at this server.</summary>
    public string ServiceAccountJson() => JsonSerializer.Serialize(new Dictionary<string, string>
    {
        ["type"] = "service_account",
        ["client_email"] = ServiceAccountEmail,
        ["client_id"] = "1234567890",
        ["private_key_id"] = "k1",
        ["private_key"] = ServiceAccountKey.ExportPkcs8PrivateKeyPem(),
        ["token_uri"] = GoogleTokenUri,
    });

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        ServiceAccountKey.Dispose();
        AppCertificate.Dispose();
    }

    private static X509Certificate2 CreateAppCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=crm-test-app", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null, X509KeyStorageFlags.Exportable);
    }

    private async Task<IResult> RefreshGrantAsync(HttpContext context)
    {
        var form = await FormAsync(context, "generic");
        if (form.GetValueOrDefault("grant_type") != "refresh_token" || form.GetValueOrDefault("client_id") != ClientId || form.GetValueOrDefault("client_secret") != ClientSecret)
        {
            return Error("invalid_client", "client authentication failed");
        }

        return form.TryGetValue("refresh_token", out var rt) && _refreshTokens.TryGetValue(rt, out var user)
            ? Issue("generic", user)
            : Error("invalid_grant", "the refresh token is invalid, expired or revoked");
    }

    private async Task<IResult> ClientCredentialsAsync(HttpContext context, string tenant)
    {
        var form = await FormAsync(context, "m365");
        if (tenant != "contoso-tenant" || form.GetValueOrDefault("grant_type") != "client_credentials" || form.GetValueOrDefault("client_id") != ClientId)
        {
            return Error("invalid_client", "AADSTS700016: Application not found in the directory.", 400);
        }

        if (form.TryGetValue("client_assertion", out var assertion))
        {
            bool holds;
            try
            {
                holds = form.GetValueOrDefault("client_assertion_type") == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" && CertificateAssertionHolds(assertion, tenant);
            }
            catch (Exception e) when (e is KeyNotFoundException or JsonException or FormatException or InvalidOperationException)
            {
                LastAssertionHeader += " | unreadable: " + e.Message;
                holds = false;
            }

            if (!holds)
            {
                return Error("invalid_client", "AADSTS700027: The certificate with identifier used to sign the client assertion is not registered on application.", 401);
            }
        }
        else if (form.GetValueOrDefault("client_secret") != ClientSecret)
        {
            return Error("invalid_client", "AADSTS7000215: Invalid client secret provided.", 401);
        }

        // App-only: the token is the app's; Exchange lets it open the mailboxes it was granted.
        return form.GetValueOrDefault("scope")?.Split(' ').Contains("https://outlook.office365.com/.default") == true
            ? Issue("m365", "*")
            : Error("invalid_scope", "AADSTS70011: The provided scope is not valid.");
    }

    /// <summary>
    /// Entra's checks of a certificate credential: signed by the registered certificate (RS256 or PS256), naming its
    /// SHA-1 or SHA-256 thumbprint, issued by and about the app, for this tenant's token endpoint, not expired.
    /// </summary>
    private bool CertificateAssertionHolds(string assertion, string tenant)
    {
        var parts = assertion.Split('.');
        if (parts.Length != 3)
        {
            return false;
        }

        LastAssertionHeader = Encoding.UTF8.GetString(Base64Url(parts[0]));
        using var header = JsonDocument.Parse(LastAssertionHeader);
        var h = header.RootElement;
        var der = AppCertificate.RawData;
        var thumbprintNamed = (h.TryGetProperty("x5t", out var x5t) && x5t.GetString() == Base64UrlText(SHA1.HashData(der)))
            || (h.TryGetProperty("x5t#S256", out var x5t256) && x5t256.GetString() == Base64UrlText(SHA256.HashData(der)));
        var padding = h.GetProperty("alg").GetString() switch
        {
            "RS256" => RSASignaturePadding.Pkcs1,
            "PS256" => RSASignaturePadding.Pss,
            _ => null,
        };
        using var publicKey = AppCertificate.GetRSAPublicKey()!;
        if (!thumbprintNamed || padding is null
            || !publicKey.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64Url(parts[2]), HashAlgorithmName.SHA256, padding))
        {
            return false;
        }

        LastClaims = Encoding.UTF8.GetString(Base64Url(parts[1]));
        using var claims = JsonDocument.Parse(LastClaims);
        var c = claims.RootElement;
        return c.GetProperty("iss").GetString() == ClientId && c.GetProperty("sub").GetString() == ClientId
            && c.GetProperty("aud").GetString()?.EndsWith($"/{tenant}/oauth2/v2.0/token", StringComparison.Ordinal) == true
            && DateTimeOffset.FromUnixTimeSeconds(UnixSeconds(c.GetProperty("exp"))) > DateTimeOffset.UtcNow;
    }

    /// <summary>A NumericDate claim; MSAL writes it as a string of digits, others as a number.</summary>
    private static long UnixSeconds(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? long.Parse(value.GetString()!, CultureInfo.InvariantCulture) : value.GetInt64();

    private static string Base64UrlText(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private async Task<IResult> JwtBearerAsync(HttpContext context)
    {
        var form = await FormAsync(context, "google");
        if (form.GetValueOrDefault("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" || form.GetValueOrDefault("assertion") is not { } assertion)
        {
            return Error("unsupported_grant_type", "expected the JWT bearer grant");
        }

        var parts = assertion.Split('.');
        if (parts.Length != 3 || !ServiceAccountKey.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64Url(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
        {
            return Error("invalid_grant", "Invalid JWT Signature.");
        }

        LastClaims = Encoding.UTF8.GetString(Base64Url(parts[1]));
        using var claims = JsonDocument.Parse(Base64Url(parts[1]));
        var c = claims.RootElement;
        if (c.GetProperty("iss").GetString() != ServiceAccountEmail || c.GetProperty("aud").GetString() != "https://oauth2.googleapis.com/token"
            || c.GetProperty("scope").GetString() != "https://mail.google.com/" || !c.TryGetProperty("sub", out var sub))
        {
            return Error("unauthorized_client", "Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.");
        }

        return Issue("google", sub.GetString()!);
    }

    private async Task<IResult> IntrospectAsync(HttpContext context)
    {
        var form = await FormAsync(context, "introspect");
        var active = form.TryGetValue("token", out var token) && _tokens.TryGetValue(token, out var t) && t.Expires > DateTimeOffset.UtcNow;
        var user = active ? _tokens[token!].User : null;
        return Results.Json(new Dictionary<string, object?> { ["active"] = active ? "true" : "false", ["username"] = user == "*" ? DovecotServer.User : user });
    }

    private IResult Issue(string endpoint, string user)
    {
        var token = $"at-{endpoint}-{Guid.NewGuid():N}";
        _tokens[token] = (user, DateTimeOffset.UtcNow + TokenLifetime);
        Issued.Enqueue(endpoint);
        return Results.Json(new Dictionary<string, object>
        {
            ["access_token"] = token,
            ["token_type"] = "Bearer",
            ["expires_in"] = (int)Math.Ceiling(TokenLifetime.TotalSeconds),
            ["ext_expires_in"] = (int)Math.Ceiling(TokenLifetime.TotalSeconds),
        });
    }

    private async Task<Dictionary<string, string>> FormAsync(HttpContext context, string endpoint)
    {
        var form = (await context.Request.ReadFormAsync()).ToDictionary(f => f.Key, f => f.Value.ToString(), StringComparer.Ordinal);
        Requests.Enqueue((endpoint, form));
        return form;
    }

    private static IResult Error(string error, string description, int status = 400) =>
        Results.Json(new Dictionary<string, string> { ["error"] = error, ["error_description"] = description }, statusCode: status);

    private static byte[] Base64Url(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '='));
    }
}

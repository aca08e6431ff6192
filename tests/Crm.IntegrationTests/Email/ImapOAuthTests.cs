using Crm.IntegrationTests.Infrastructure;
using Crm.Pipeline.Jobs;
using Crm.Pipeline.Sources;
using Crm.Pipeline.Sources.Email;
using Crm.Pipeline.Sources.Email.OAuth;
using Npgsql;

namespace Crm.IntegrationTests.Email;

/// <summary>
/// OAuth2 sign-in against a real Dovecot with TLS (a CA made by the test) and <c>passdb oauth2</c>, whose
/// tokens are checked by introspection at a loopback authorization server that issues short-lived tokens (#25).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ImapOAuthTests(PostgresCluster cluster)
{
    private static IngestCounts Sum(IEnumerable<UnitResult> results) => results.Aggregate(default(IngestCounts), (a, r) => a + r.Counts);

    [Fact]
    public async Task GenericProvider_SignsInOverTls_AndASyncSpanningTheTokensExpiry_CarriesOnWithAFreshToken()
    {
        using var ca = TestCa.Create();
        await using var tokens = await TokenServer.StartAsync(ca);
        tokens.TokenLifetime = TimeSpan.FromSeconds(2);
        await using var server = await DovecotServer.StartAsync(ca, tokens.IntrospectionUrl);
        await server.AppendAsync("INBOX", Enumerable.Range(1, 6).Select(n => EmailTestKit.Message(n)));
        await using var db = await cluster.CreateMigratedDatabaseAsync("imap_oauth_expiry");
        var account = Generic(server, tokens, ca, tokens.AddRefreshToken(DovecotServer.User));
        account.BatchSize = 2;
        var syncer = EmailTestKit.Imap(db, EmailTestKit.Options(account));
        var restarted = false;
        // After the first batch: wait until the token has expired, then drop the connection, so the
        // sync has to sign in again mid-way with a token it must fetch anew.
        var sink = new Sink(report =>
        {
            if (report == 2 && !restarted)
            {
                restarted = true;
                Assert.True(SpinWait.SpinUntil(() => tokens.AllExpired, TimeSpan.FromSeconds(15)), "the token should expire");
                server.Kill();
                server.RestartAsync().GetAwaiter().GetResult();
            }
        });

        var results = await syncer.SyncAsync(account, null, sink, CancellationToken.None);

        Assert.True(restarted);
        Assert.Equal(new IngestCounts(6, 6, 0, 0), Sum(results));
        Assert.Equal(6, await db.ScalarAsync<int>("select count(distinct message_id) from core.email"));
        Assert.Equal(2, tokens.Issued.Count(e => e == "generic"));
        Assert.All(tokens.Requests.Where(r => r.Endpoint == "generic"), r => Assert.Equal("refresh_token", r.Form["grant_type"]));
    }

    [Fact]
    public async Task ARefusedToken_IsFetchedAgainOnce_ARevokedRefreshTokenFailsNamingTheAccount_AndTheOtherAccountStillSyncs()
    {
        using var ca = TestCa.Create();
        await using var tokens = await TokenServer.StartAsync(ca);
        await using var server = await DovecotServer.StartAsync(ca, tokens.IntrospectionUrl);
        await server.AppendAsync("INBOX", [EmailTestKit.Message(1)]);
        await server.AppendAsync("Other", [EmailTestKit.Message(2)]);
        await using var db = await cluster.CreateMigratedDatabaseAsync("imap_oauth_revoke");
        var refresh = tokens.AddRefreshToken(DovecotServer.User);
        var oauth = Generic(server, tokens, ca, refresh, "oauth", "INBOX");
        var password = server.Account("password", "Other");
        var syncer = EmailTestKit.Imap(db, EmailTestKit.Options(oauth, password));
        var credentials = new ImapCredentials();

        var first = await syncer.SyncAllAsync(null, NullProgressSink.Instance, CancellationToken.None);
        var probe = await ImapSession.ProbeAsync(oauth, credentials, CancellationToken.None);

        // The access token the syncer holds is revoked before it expires: the server refuses it, the
        // syncer fetches a new one once and goes on.
        tokens.RevokeAccessTokens();
        await server.AppendAsync("INBOX", [EmailTestKit.Message(3)]);
        var second = await syncer.SyncAllAsync(null, NullProgressSink.Instance, CancellationToken.None);

        // Now the refresh token is revoked too: one clear failure for that account, the other syncs.
        tokens.RevokeAccessTokens();
        tokens.RevokeRefreshToken(refresh);
        await server.AppendAsync("INBOX", [EmailTestKit.Message(4)]);
        await server.AppendAsync("Other", [EmailTestKit.Message(5)]);
        var issuedBefore = tokens.Requests.Count(r => r.Endpoint == "generic");
        var third = await syncer.SyncAllAsync(null, NullProgressSink.Instance, CancellationToken.None);

        Assert.Equal(new IngestCounts(2, 2, 0, 0), Sum(first));
        Assert.Equal("signed in as alice (generic); folders: INBOX 1, Other 1; no mail read", probe);
        Assert.DoesNotContain(second, r => r.Error is not null);
        Assert.Equal(new IngestCounts(1, 1, 0, 0), Sum(second));
        var failed = Assert.Single(third, r => r.Error is not null);
        Assert.Equal("imap:oauth", failed.Unit);
        Assert.StartsWith("IMAP account 'oauth': the token endpoint", failed.Error, StringComparison.Ordinal);
        Assert.Contains("invalid_grant", failed.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(refresh, failed.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(tokens.ClientSecret, failed.Error, StringComparison.Ordinal);
        // Exactly one new token request for the failing account: no retry storm against the provider.
        Assert.Equal(issuedBefore + 1, tokens.Requests.Count(r => r.Endpoint == "generic"));
        Assert.Equal(new IngestCounts(1, 1, 0, 0), Sum(third));
        Assert.Equal(1, await db.ScalarAsync<int>("select count(*) from core.email where message_id = 'm5@test.example'"));
        Assert.Equal(0, await db.ScalarAsync<int>("select count(*) from core.email where message_id = 'm4@test.example'"));
    }

    [Fact]
    public async Task Microsoft365AndGoogle_GetTheirTokensByTheirOwnFlows_AndSync()
    {
        using var ca = TestCa.Create();
        await using var tokens = await TokenServer.StartAsync(ca);
        await using var server = await DovecotServer.StartAsync(ca, tokens.IntrospectionUrl);
        await server.AppendAsync("INBOX", [EmailTestKit.Message(1), EmailTestKit.Message(2)]);
        await server.AppendAsync("Other", [EmailTestKit.Message(3)]);
        await using var db = await cluster.CreateMigratedDatabaseAsync("imap_oauth_providers");
        var secretVariable = "CRM_TEST_M365_SECRET_" + Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        Environment.SetEnvironmentVariable(secretVariable, tokens.ClientSecret);
        var m365 = server.Account("m365", "INBOX");
        m365.Password = null;
        m365.Provider = ImapProvider.Microsoft365;
        m365.OAuth = new ImapOAuthOptions { TenantId = "contoso-tenant", ClientId = tokens.ClientId, ClientSecretEnvironmentVariable = secretVariable, AuthorityHost = tokens.AuthorityHost };
        var google = server.Account("google", "Other");
        google.Password = null;
        google.Provider = ImapProvider.Google;
        google.OAuth = new ImapOAuthOptions { ServiceAccountKeyFile = ca.WriteSecret("service-account.json", tokens.ServiceAccountJson()) };
        var options = EmailTestKit.Options(m365, google);
        var syncer = EmailTestKit.Imap(db, options);

        var results = await syncer.SyncAllAsync(null, NullProgressSink.Instance, CancellationToken.None);

        var errors = string.Join(" | ", results.Where(r => r.Error is not null).Select(r => r.Error));
        Assert.True(errors.Length == 0, errors);
        Assert.Equal(new IngestCounts(3, 3, 0, 0), Sum(results));
        var m365Request = Assert.Single(tokens.Requests, r => r.Endpoint == "m365").Form;
        Assert.Equal("client_credentials", m365Request["grant_type"]);
        Assert.Contains("https://outlook.office365.com/.default", m365Request["scope"].Split(' '));
        Assert.Equal("urn:ietf:params:oauth:grant-type:jwt-bearer", Assert.Single(tokens.Requests, r => r.Endpoint == "google").Form["grant_type"]);
        // Domain-wide delegation: the assertion impersonates the mailbox (sub) with Gmail's IMAP scope.
        Assert.Contains("\"sub\":\"alice\"", tokens.LastClaims, StringComparison.Ordinal);
        Assert.Contains("\"scope\":\"https://mail.google.com/\"", tokens.LastClaims, StringComparison.Ordinal);
        Assert.Equal(0, tokens.Requests.Count(r => r.Endpoint == "generic"));
        Assert.Empty(new EmailOptionsValidator().Validate(null, options).Failures ?? []);
        // The presets: with no Host, the providers' own IMAP servers over TLS on 993.
        Assert.Equal(("outlook.office365.com", 993), (new ImapAccountOptions { Provider = "m365" }.Host, new ImapAccountOptions { Provider = "m365" }.EffectivePort));
        Assert.Equal("imap.gmail.com", new ImapAccountOptions { Provider = "google" }.Host);
    }

    [Fact]
    public async Task Microsoft365WithACertificate_PemOrPfx_SignsItsClientAssertionAndSyncs()
    {
        using var ca = TestCa.Create();
        await using var tokens = await TokenServer.StartAsync(ca);
        await using var server = await DovecotServer.StartAsync(ca, tokens.IntrospectionUrl);
        await server.AppendAsync("INBOX", [EmailTestKit.Message(1), EmailTestKit.Message(2)]);
        await server.AppendAsync("Other", [EmailTestKit.Message(3)]);
        await using var db = await cluster.CreateMigratedDatabaseAsync("imap_oauth_certificate");
        // A PEM file holding the certificate and its key, and a PFX with a password from the environment.
        var pem = ca.WriteSecret("app.pem", tokens.AppCertificate.ExportCertificatePem() + "\n" + System.Security.Cryptography.X509Certificates.RSACertificateExtensions.GetRSAPrivateKey(tokens.AppCertificate)!.ExportPkcs8PrivateKeyPem());
        var pfx = Path.Combine(ca.Directory, "app.pfx");
        var passwordVariable = "CRM_TEST_PFX_PASSWORD_" + Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        Environment.SetEnvironmentVariable(passwordVariable, "pfx-pass");
        await File.WriteAllBytesAsync(pfx, tokens.AppCertificate.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx, "pfx-pass"));
        File.SetUnixFileMode(pfx, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var withPem = server.Account("m365pem", "INBOX");
        var withPfx = server.Account("m365pfx", "Other");
        foreach (var (account, file) in new[] { (withPem, pem), (withPfx, pfx) })
        {
            account.Password = null;
            account.Provider = ImapProvider.Microsoft365;
            account.OAuth = new ImapOAuthOptions
            {
                TenantId = "contoso-tenant", ClientId = tokens.ClientId, CertificateFile = file, AuthorityHost = tokens.AuthorityHost,
                CertificatePasswordEnvironmentVariable = file == pfx ? passwordVariable : null,
            };
        }

        var options = EmailTestKit.Options(withPem, withPfx);
        var results = await EmailTestKit.Imap(db, options).SyncAllAsync(null, NullProgressSink.Instance, CancellationToken.None);

        var errors = string.Join(" | ", results.Where(r => r.Error is not null).Select(r => r.Error));
        Assert.True(errors.Length == 0, errors + " | last assertion header: " + tokens.LastAssertionHeader + " | claims: " + tokens.LastClaims);
        Assert.Equal(new IngestCounts(3, 3, 0, 0), Sum(results));
        // Each account proved itself by an assertion, never a secret.
        var forms = tokens.Requests.Where(r => r.Endpoint == "m365").Select(r => r.Form).ToList();
        Assert.Equal(2, forms.Count);
        Assert.All(forms, f => Assert.False(f.ContainsKey("client_secret")));
        Assert.All(forms, f => Assert.Equal("urn:ietf:params:oauth:client-assertion-type:jwt-bearer", f["client_assertion_type"]));
        Assert.Contains("\"sub\":\"" + tokens.ClientId + "\"", tokens.LastClaims, StringComparison.Ordinal);
        Assert.Empty(new EmailOptionsValidator().Validate(null, options).Failures ?? []);
    }

    [Fact]
    public async Task ASecretFileOthersCanRead_IsRefused_NamingTheFileAndTheFix()
    {
        using var ca = TestCa.Create();
        var file = ca.WriteSecret("refresh-token", "rt-123");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var account = new ImapAccountOptions
        {
            Name = "shared",
            Provider = ImapProvider.Generic,
            User = "alice",
            OAuth = new ImapOAuthOptions { TokenEndpoint = "https://127.0.0.1:9/token", ClientId = "c", RefreshTokenFile = file },
        };

        var error = await Assert.ThrowsAsync<ImapSyncException>(() => new ImapCredentials().ResolveAsync(account, false, CancellationToken.None));

        Assert.Equal($"IMAP account 'shared': OAuth:RefreshTokenFile '{file}' can be read by other users; run chmod 600 '{file}' (owned by the service user).", error.Message);
    }

    private static ImapAccountOptions Generic(DovecotServer server, TokenServer tokens, TestCa ca, string refreshToken, string name = "test", params string[] folders)
    {
        var account = server.Account(name, folders);
        account.Password = null;
        account.Provider = ImapProvider.Generic;
        account.OAuth = new ImapOAuthOptions
        {
            TokenEndpoint = tokens.GenericEndpoint,
            ClientId = tokens.ClientId,
            ClientSecretFile = ca.WriteSecret($"{name}-client-secret", tokens.ClientSecret),
            RefreshTokenFile = ca.WriteSecret($"{name}-refresh-token", refreshToken),
        };
        return account;
    }

    private sealed class Sink(Action<int> onReport) : IProgressSink
    {
        private int _reports;

        public void Report(double? fraction, string message)
        {
            if (fraction is not null)
            {
                onReport(++_reports);
            }
        }
    }
}

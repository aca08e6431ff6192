using Crm.Pipeline.Sources.Email.OAuth;
using Microsoft.Extensions.Options;

namespace Crm.Pipeline.Sources.Email;

/// <summary>Checks <c>Crm:Email</c> at start: every failure named with its setting and value.</summary>
public sealed class EmailOptionsValidator : IValidateOptions<EmailOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, EmailOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.DropBatchFiles is < 1 or > 100_000)
        {
            failures.Add($"Crm:Email:DropBatchFiles must be 1-100000 (got {options.DropBatchFiles}).");
        }

        if (options.DropBatchBytes < 1)
        {
            failures.Add($"Crm:Email:DropBatchBytes must be at least 1 (got {options.DropBatchBytes}).");
        }

        if (options.MaxBodyChars < 1)
        {
            failures.Add($"Crm:Email:MaxBodyChars must be at least 1 (got {options.MaxBodyChars}).");
        }

        for (var i = 0; i < options.Drops.Count; i++)
        {
            var drop = options.Drops[i];
            if (string.IsNullOrWhiteSpace(drop))
            {
                failures.Add($"Crm:Email:Drops:{i} is empty; name a folder of .eml files, a Maildir or an mbox file.");
            }
            else if (SourceFolders.FolderOrFileProblem(drop) is { } problem)
            {
                failures.Add($"Crm:Email:Drops:{i} '{drop}' {problem}; create it, or fix the path.");
            }
        }

        for (var i = 0; i < options.StaffDomains.Count; i++)
        {
            var domain = options.StaffDomains[i];
            if (string.IsNullOrWhiteSpace(domain) || domain.Contains('@', StringComparison.Ordinal) || domain.Contains(' ', StringComparison.Ordinal))
            {
                failures.Add($"Crm:Email:StaffDomains:{i} '{domain}' must be a domain such as example.com (no @, no spaces).");
            }
        }

        if (!string.IsNullOrWhiteSpace(options.IntentRulesFile) && !File.Exists(options.IntentRulesFile))
        {
            failures.Add($"Crm:Email:IntentRulesFile '{options.IntentRulesFile}' does not exist; fix the path or remove the setting.");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Imap.Accounts.Count; i++)
        {
            var a = options.Imap.Accounts[i];
            var key = $"Crm:Email:Imap:Accounts:{i}";
            if (string.IsNullOrWhiteSpace(a.Name))
            {
                failures.Add($"{key}:Name is required.");
            }
            else if (!names.Add(a.Name))
            {
                failures.Add($"{key}:Name '{a.Name}' is used by another account.");
            }

            if (string.IsNullOrWhiteSpace(a.Host))
            {
                failures.Add($"{key}:Host is required.");
            }

            if (string.IsNullOrWhiteSpace(a.User))
            {
                failures.Add($"{key}:User is required.");
            }

            if (a.Port is < 0 or > 65535)
            {
                failures.Add($"{key}:Port must be 0-65535 (got {a.Port}).");
            }

            if (a.BatchSize is < 1 or > 100_000)
            {
                failures.Add($"{key}:BatchSize must be 1-100000 (got {a.BatchSize}).");
            }

            if (a.MaxAttempts is < 1 or > 50)
            {
                failures.Add($"{key}:MaxAttempts must be 1-50 (got {a.MaxAttempts}).");
            }

            for (var f = 0; f < a.Folders.Count; f++)
            {
                if (string.IsNullOrWhiteSpace(a.Folders[f]))
                {
                    failures.Add($"{key}:Folders:{f} is empty; name a mailbox folder such as INBOX.");
                }
            }

            if (a.TimeoutSeconds < 1)
            {
                failures.Add($"{key}:TimeoutSeconds must be at least 1 (got {a.TimeoutSeconds}).");
            }

            CheckProvider(a, key, failures);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>What each sign-in provider needs; the secrets themselves are read when a token is fetched.</summary>
    private static void CheckProvider(ImapAccountOptions a, string key, List<string> failures)
    {
        var o = a.OAuth;
        if (!string.IsNullOrEmpty(a.CaCertificateFile) && !File.Exists(a.CaCertificateFile))
        {
            failures.Add($"{key}:CaCertificateFile '{a.CaCertificateFile}' does not exist; fix the path or remove the setting.");
        }

        switch (a.Provider.ToLowerInvariant())
        {
            case ImapProvider.Password:
                if (string.IsNullOrEmpty(a.Password) && string.IsNullOrEmpty(a.PasswordEnvironmentVariable)
                    && string.IsNullOrEmpty(a.AccessToken) && string.IsNullOrEmpty(a.AccessTokenEnvironmentVariable))
                {
                    failures.Add($"{key}: set Password or AccessToken (from a secret store) or PasswordEnvironmentVariable / AccessTokenEnvironmentVariable, or choose a Provider that fetches tokens (m365, google, generic).");
                }

                break;
            case ImapProvider.Microsoft365:
                Require(o.TenantId, $"{key}:OAuth:TenantId", "the directory (tenant) id of the Microsoft 365 organisation", failures);
                Require(o.ClientId, $"{key}:OAuth:ClientId", "the application (client) id of the app registration", failures);
                if (string.IsNullOrEmpty(o.ClientSecretFile) && string.IsNullOrEmpty(o.ClientSecretEnvironmentVariable) && string.IsNullOrEmpty(o.CertificateFile))
                {
                    failures.Add($"{key}:OAuth: m365 needs ClientSecretFile, ClientSecretEnvironmentVariable or CertificateFile.");
                }

                if (!Uri.TryCreate(o.AuthorityHost, UriKind.Absolute, out var authority) || authority.Scheme != Uri.UriSchemeHttps)
                {
                    failures.Add($"{key}:OAuth:AuthorityHost '{o.AuthorityHost}' must be an https address such as https://login.microsoftonline.com.");
                }

                break;
            case ImapProvider.Google:
                if (string.IsNullOrEmpty(o.ServiceAccountKeyFile))
                {
                    Require(o.ClientId, $"{key}:OAuth:ClientId", "the OAuth client id (or set ServiceAccountKeyFile for a service account)", failures);
                    RequireRefreshToken(o, key, failures);
                }

                break;
            case ImapProvider.Generic:
                if (!Uri.TryCreate(o.TokenEndpoint, UriKind.Absolute, out var endpoint) || (endpoint.Scheme != Uri.UriSchemeHttps && !endpoint.IsLoopback))
                {
                    failures.Add($"{key}:OAuth:TokenEndpoint '{o.TokenEndpoint}' must be the https address of the token endpoint.");
                }

                Require(o.ClientId, $"{key}:OAuth:ClientId", "the OAuth client id", failures);
                RequireRefreshToken(o, key, failures);
                break;
            default:
                failures.Add($"{key}:Provider '{a.Provider}' is not one of {string.Join(", ", ImapProvider.All)}.");
                break;
        }
    }

    private static void Require(string? value, string setting, string what, List<string> failures)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            failures.Add($"{setting} is required: {what}.");
        }
    }

    private static void RequireRefreshToken(ImapOAuthOptions o, string key, List<string> failures)
    {
        if (string.IsNullOrEmpty(o.RefreshTokenFile) && string.IsNullOrEmpty(o.RefreshTokenEnvironmentVariable))
        {
            failures.Add($"{key}:OAuth: set RefreshTokenFile (mode 0600) or RefreshTokenEnvironmentVariable.");
        }
    }
}

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

            if (string.IsNullOrEmpty(a.Password) && string.IsNullOrEmpty(a.PasswordEnvironmentVariable)
                && string.IsNullOrEmpty(a.AccessToken) && string.IsNullOrEmpty(a.AccessTokenEnvironmentVariable))
            {
                failures.Add($"{key}: set Password or AccessToken (from a secret store) or PasswordEnvironmentVariable / AccessTokenEnvironmentVariable.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

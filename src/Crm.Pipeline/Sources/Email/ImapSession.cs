using Crm.Pipeline.Sources.Email.OAuth;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;

namespace Crm.Pipeline.Sources.Email;

/// <summary>Opens a signed-in IMAP connection for an account, by its Provider; used by the sync and by <c>crm check</c>.</summary>
public static class ImapSession
{
    /// <summary>Connects, secures and signs in (XOAUTH2 with a token, else the password).</summary>
    /// <exception cref="AuthenticationException">The server refused the password or token.</exception>
    /// <exception cref="ImapSyncException">No secret, or the token provider refused.</exception>
    public static async Task<ImapClient> OpenAsync(ImapAccountOptions account, ImapCredentials credentials, bool forceRefresh, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(credentials);
        var (password, token) = await credentials.ResolveAsync(account, forceRefresh, cancellationToken).ConfigureAwait(false);
        var client = new ImapClient { Timeout = account.TimeoutSeconds * 1000 };
        try
        {
            if (!account.ValidateCertificate)
            {
                // Explicit opt-out (tests against a self-signed server): accept any certificate.
                client.ServerCertificateValidationCallback = (_, _, _, _) => true;
            }
            else if (TrustedCa.From(account.Name, account.CaCertificateFile) is { } ca)
            {
                client.ServerCertificateValidationCallback = (_, c, ch, e) => ca.Validate(c, ch, e);
            }

            await client.ConnectAsync(account.Host, account.EffectivePort, account.SocketOptions, cancellationToken).ConfigureAwait(false);
            if (token is not null)
            {
                await client.AuthenticateAsync(new SaslMechanismOAuth2(account.User, token), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await client.AuthenticateAsync(account.User, password!, cancellationToken).ConfigureAwait(false);
            }

            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Signs in and lists the account's folders with their message counts, reading no mail; for <c>crm check</c>.
    /// A token refused by the server is fetched again once, as the sync does.
    /// </summary>
    public static async Task<string> ProbeAsync(ImapAccountOptions account, ImapCredentials credentials, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        ImapClient client;
        try
        {
            client = await OpenAsync(account, credentials, false, cancellationToken).ConfigureAwait(false);
        }
        catch (AuthenticationException) when (ImapProvider.FetchesTokens(account.Provider))
        {
            client = await OpenAsync(account, credentials, true, cancellationToken).ConfigureAwait(false);
        }

        using (client)
        {
            var folders = new List<string>();
            var root = client.GetFolder(client.PersonalNamespaces[0]);
            var all = new List<IMailFolder> { client.Inbox };
            all.AddRange((await root.GetSubfoldersAsync(false, cancellationToken).ConfigureAwait(false)).Where(f => !f.FullName.Equals("INBOX", StringComparison.OrdinalIgnoreCase)));
            foreach (var folder in all.Where(f => f.Exists && !f.Attributes.HasFlag(FolderAttributes.NoSelect)).Take(20))
            {
                await folder.StatusAsync(StatusItems.Count, cancellationToken).ConfigureAwait(false);
                folders.Add($"{folder.FullName} {folder.Count}");
            }

            var missing = account.FoldersOrInbox.Where(f => !all.Any(a => a.FullName.Equals(f, StringComparison.OrdinalIgnoreCase))).ToList();
            await client.DisconnectAsync(true, cancellationToken).ConfigureAwait(false);
            return $"signed in as {account.User} ({account.Provider}); folders: {string.Join(", ", folders)}{(all.Count > 20 ? ", …" : "")}"
                + (missing.Count > 0 ? $"; configured but missing: {string.Join(", ", missing)}" : "") + "; no mail read";
        }
    }
}

using Crm.Pipeline.Sources.Email.OAuth;

namespace Crm.Pipeline.Sources.Email;

/// <summary>The IMAP accounts, bound from <c>Crm:Email:Imap</c>.</summary>
public sealed class ImapOptions
{
    /// <summary>The accounts to read.</summary>
    public List<ImapAccountOptions> Accounts { get; set; } = [];
}

using Crm.Pipeline.Sources.Email.OAuth;

namespace Crm.Pipeline.Sources.Email;

/// <summary>
/// The email source, bound from <c>Crm:Email</c>: drop folders of .eml/Maildir/mbox files, IMAP
/// accounts, which domains are staff (outbound mail), and what to keep of each message.
/// </summary>
public sealed class EmailOptions
{
    /// <summary>
    /// Drop folders or files the <c>email</c> stage reads: a folder is walked recursively; a file
    /// starting with an mbox <c>From </c> line is an mbox, any other file holds one message
    /// (.eml, Maildir <c>cur/</c> and <c>new/</c> files, whatever their names).
    /// </summary>
    public List<string> Drops { get; set; } = [];

    /// <summary>
    /// Single-message files of a drop written per transaction, at most: each file keeps its own
    /// ledger row, but a batch shares one staging COPY and one merge (a crash redoes the whole batch).
    /// </summary>
    public int DropBatchFiles { get; set; } = 500;

    /// <summary>Bytes of single-message files per transaction, at most (a larger file is a batch alone).</summary>
    public long DropBatchBytes { get; set; } = 16L << 20;

    /// <summary>Domains of the company's own staff (e.g. <c>example.com</c>): mail from them is outbound.</summary>
    public List<string> StaffDomains { get; set; } = [];

    /// <summary>IMAP accounts read by the stage.</summary>
    public ImapOptions Imap { get; set; } = new();

    /// <summary>Longest plain-text body kept per message, in characters (the rest is cut, the hash covers all).</summary>
    public int MaxBodyChars { get; set; } = 100_000;

    /// <summary>Whether attachment contents are stored in <c>core.email_attachment</c> (metadata always is).</summary>
    public bool StoreAttachmentContents { get; set; }

    /// <summary>Largest attachment whose contents are stored when <see cref="StoreAttachmentContents"/> is on.</summary>
    public long MaxStoredAttachmentBytes { get; set; } = 10 << 20;

    /// <summary>
    /// Optional JSON file of intent rules (same shape as the built-in <c>intent_rules.resx.json</c>:
    /// intent → language → phrases). Its phrases are added to the built-in ones.
    /// </summary>
    public string? IntentRulesFile { get; set; }
}

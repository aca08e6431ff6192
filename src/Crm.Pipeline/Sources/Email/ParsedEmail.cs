namespace Crm.Pipeline.Sources.Email;

/// <summary>What the warehouse keeps of one message, extracted by <see cref="EmailExtractor"/>.</summary>
internal sealed class ParsedEmail
{
    public string? MessageId { get; init; }

    public required string ContentHash { get; init; }

    public string? InReplyTo { get; init; }

    public string[] References { get; init; } = [];

    /// <summary>The direct parent: In-Reply-To, else the last References entry.</summary>
    public string? ParentId { get; init; }

    /// <summary>The thread's root as far as this message knows: first References entry, else the parent, else itself.</summary>
    public required string ThreadRoot { get; init; }

    public DateTime SentAtUtc { get; init; }

    public bool DateMissing { get; init; }

    public string? FromAddress { get; init; }

    public string? FromName { get; init; }

    public required MailAddressList To { get; init; }

    public required MailAddressList Cc { get; init; }

    public required MailAddressList ReplyTo { get; init; }

    public string? Subject { get; init; }

    public string? BodyText { get; init; }

    public string? QuotedText { get; init; }

    public bool BodyTruncated { get; init; }

    /// <summary>Why the MIME structure could not be read as sent (a boundary missing or never found); null when it could.</summary>
    public string? MimeDefect { get; init; }

    public List<AttachmentInfo> Attachments { get; init; } = [];

    public required string Direction { get; init; }

    public string? CustomerAddress { get; init; }

    /// <summary>External (non-staff) addresses with display names, for <c>core.source_customer</c>.</summary>
    public required MailAddressList External { get; init; }

    public string[] Intents { get; init; } = [];

    public long SizeBytes { get; init; }

    /// <summary>Where the raw bytes are: file + byte offset, or account/folder/uidvalidity/uid.</summary>
    public required string Location { get; init; }

    /// <summary>mbox byte offset, or IMAP UID.</summary>
    public long? Position { get; init; }
}

/// <summary>Normalised addresses (lower-case, trimmed) with their display names ("" when none), in order, no repeats.</summary>
internal sealed class MailAddressList
{
    public List<string> Addresses { get; } = [];

    public List<string> Names { get; } = [];

    public void Add(string address, string? name)
    {
        var i = Addresses.IndexOf(address);
        if (i >= 0)
        {
            if (Names[i].Length == 0 && !string.IsNullOrEmpty(name))
            {
                Names[i] = name;
            }

            return;
        }

        Addresses.Add(address);
        Names.Add(name ?? "");
    }
}

/// <summary>An attachment's metadata (and its contents when configured and small enough).</summary>
internal sealed record AttachmentInfo(string? FileName, string ContentType, long SizeBytes, byte[]? Content);

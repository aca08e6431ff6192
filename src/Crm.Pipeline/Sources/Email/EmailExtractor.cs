using System.Security.Cryptography;
using System.Text;
using MimeKit;
using MimeKit.IO;
using MimeKit.Utils;

namespace Crm.Pipeline.Sources.Email;

/// <summary>
/// Turns a parsed <see cref="MimeMessage"/> into what the warehouse keeps: ids and thread links,
/// UTC date, normalised addresses, decoded subject, plain text split from the quoted reply,
/// attachment metadata, direction and intent tags, and a content hash that is the same
/// whichever way the message arrived (IMAP, .eml, mbox), so a second delivery is a duplicate.
/// </summary>
internal sealed class EmailExtractor
{
    /// <summary>Deepest MIME nesting walked; deeper parts are ignored (see MimeKit's stack-overflow.txt).</summary>
    private const int MaxDepth = 64;

    private readonly EmailOptions _options;
    private readonly IntentRules _rules;
    private readonly string[] _staffDomains;

    public EmailExtractor(EmailOptions options, IntentRules rules)
    {
        _options = options;
        _rules = rules;
        _staffDomains = options.StaffDomains.Select(d => d.Trim().TrimStart('@').ToLowerInvariant()).Where(d => d.Length > 0).ToArray();
    }

    /// <summary>Parser settings: bounded nesting, lenient like every MUA.</summary>
    public static ParserOptions ParserOptions { get; } = CreateParserOptions();

    /// <summary>
    /// Extracts one message; returns null and a reason when it cannot be a customer email
    /// (no headers, no sender), so the caller quarantines it.
    /// </summary>
    public ParsedEmail? Extract(MimeMessage message, string location, long? position, DateTimeOffset? received, long sizeBytes, out string? rejection)
    {
        rejection = null;
        if (message.Headers.Count == 0)
        {
            rejection = "no headers: not an email message";
            return null;
        }

        var from = FirstMailbox(message.From) ?? message.Sender;
        var fromAddress = from is null ? null : NormaliseAddress(from.Address);
        if (fromAddress is null)
        {
            rejection = message.From.Count == 0 && message.Sender is null
                ? "no From address"
                : $"unusable From address '{Clean(message.Headers[HeaderId.From] ?? "")}'";
            return null;
        }

        var to = ToList(message.To);
        var cc = ToList(message.Cc);
        var replyTo = ToList(message.ReplyTo);
        var subject = Clean(message.Subject);
        var messageId = CleanId(message.MessageId);
        var inReplyTo = CleanId(message.InReplyTo);
        var references = message.References.Select(CleanId).OfType<string>().ToArray();

        var (date, dateMissing) = ResolveDate(message, received);

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        AppendHash(hash, messageId);
        AppendHash(hash, fromAddress);
        AppendHash(hash, string.Join(',', to.Addresses));
        AppendHash(hash, string.Join(',', cc.Addresses));
        AppendHash(hash, message.Headers[HeaderId.Date]?.Trim());
        AppendHash(hash, subject);

        var attachments = new List<AttachmentInfo>();
        var (plain, html, defect, unparsed) = Walk(message, attachments);
        string body = "";
        var truncated = false;
        if (plain is null && html is null && unparsed is not null)
        {
            // The parts could not be told apart: keep their raw text (flagged) rather than an empty body.
            body = unparsed.Length > _options.MaxBodyChars ? unparsed[.._options.MaxBodyChars] : unparsed;
            truncated = unparsed.Length > _options.MaxBodyChars;
        }
        else if (plain is not null)
        {
            body = ReadText(plain, _options.MaxBodyChars, out truncated);
        }
        else if (html is not null)
        {
            var raw = ReadText(html, _options.MaxBodyChars * 4, out truncated);
            body = HtmlText.Convert(raw);
            if (body.Length > _options.MaxBodyChars)
            {
                body = body[.._options.MaxBodyChars];
                truncated = true;
            }
        }

        // Line endings and trailing blank lines differ between transports (SMTP CRLF, mbox LF,
        // the mbox separator's blank line): normalise them so a redelivery hashes the same.
        body = Clean(body.ReplaceLineEndings("\n")).TrimEnd();
        AppendHash(hash, body);
        foreach (var a in attachments)
        {
            AppendHash(hash, $"{a.FileName}|{a.ContentType}|{a.SizeBytes}");
        }

        var contentHash = Convert.ToHexStringLower(hash.GetHashAndReset());
        var (newText, quoted) = QuoteSplitter.Split(body);
        var outbound = IsStaff(fromAddress);
        var external = new MailAddressList();
        foreach (var list in new[] { Single(fromAddress, from?.Name), replyTo, to, cc })
        {
            for (var i = 0; i < list.Addresses.Count; i++)
            {
                if (!IsStaff(list.Addresses[i]))
                {
                    external.Add(list.Addresses[i], list.Names[i]);
                }
            }
        }

        var customer = outbound
            ? to.Addresses.Concat(cc.Addresses).FirstOrDefault(a => !IsStaff(a))
            : fromAddress;
        var parent = inReplyTo ?? (references.Length > 0 ? references[^1] : null);
        return new ParsedEmail
        {
            MessageId = messageId,
            ContentHash = contentHash,
            InReplyTo = inReplyTo,
            References = references,
            ParentId = parent,
            ThreadRoot = references.Length > 0 ? references[0] : parent ?? messageId ?? "hash:" + contentHash,
            SentAtUtc = date.UtcDateTime,
            DateMissing = dateMissing,
            FromAddress = fromAddress,
            FromName = NullIfEmpty(Clean(from?.Name)),
            To = to,
            Cc = cc,
            ReplyTo = replyTo,
            Subject = subject,
            BodyText = newText,
            QuotedText = quoted,
            BodyTruncated = truncated,
            MimeDefect = defect,
            Attachments = attachments,
            Direction = outbound ? "outbound" : "inbound",
            CustomerAddress = customer,
            External = external,
            Intents = _rules.Match((subject ?? "") + "\n" + newText),
            SizeBytes = sizeBytes,
            Location = location,
            Position = position,
        };
    }

    /// <summary>Lower-cased, trimmed address, or null when it is not an address at all.</summary>
    internal static string? NormaliseAddress(string? address)
    {
        if (string.IsNullOrWhiteSpace(address))
        {
            return null;
        }

        var a = Clean(address).Trim().Trim('<', '>', '"', '\'').Trim().ToLowerInvariant();
        var at = a.LastIndexOf('@');
        return at > 0 && at < a.Length - 1 && !a.Contains(' ', StringComparison.Ordinal) ? a : null;
    }

    private bool IsStaff(string address)
    {
        var domain = address[(address.LastIndexOf('@') + 1)..];
        foreach (var staff in _staffDomains)
        {
            if (domain == staff || domain.EndsWith("." + staff, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static (DateTimeOffset Date, bool Missing) ResolveDate(MimeMessage message, DateTimeOffset? received)
    {
        if (message.Headers.Contains(HeaderId.Date) && message.Date != DateTimeOffset.MinValue)
        {
            return (message.Date, false);
        }

        // No usable Date: the newest Received stamp (the last hop, listed first), then the
        // store's own arrival time (IMAP INTERNALDATE), then now.
        foreach (var header in message.Headers)
        {
            if (header.Id == HeaderId.Received && header.Value is { } value && value.LastIndexOf(';') is var semi && semi >= 0
                && DateUtils.TryParse(value[(semi + 1)..], out var stamp))
            {
                return (stamp, true);
            }
        }

        return (received ?? DateTimeOffset.UtcNow, true);
    }

    /// <summary>
    /// The first plain and HTML body parts, the attachments, and the first MIME defect: a multipart whose boundary
    /// is missing or never appears in its content, which MimeKit reads as no parts and all of the content as the
    /// preamble (<paramref name="attachments"/> gets the rest; <c>Unparsed</c> is that preamble).
    /// </summary>
    private (TextPart? Plain, TextPart? Html, string? Defect, string? Unparsed) Walk(MimeMessage message, List<AttachmentInfo> attachments)
    {
        TextPart? plain = null, html = null;
        string? defect = null, unparsed = null;
        var stack = new Stack<(MimeEntity Entity, int Depth)>();
        if (message.Body is not null)
        {
            stack.Push((message.Body, 0));
        }

        // Iterative, depth-bounded: a hostile nesting must not overflow the stack.
        while (stack.Count > 0)
        {
            var (entity, depth) = stack.Pop();
            switch (entity)
            {
                case Multipart { Count: 0 } broken when defect is null && !string.IsNullOrWhiteSpace(broken.Preamble):
                    // An empty multipart (no content at all) is only odd; content with no part in it lost its boundary.
                    defect = string.IsNullOrEmpty(broken.Boundary)
                        ? $"{broken.ContentType.MimeType.ToLowerInvariant()} without a boundary parameter: its parts are not separated"
                        : $"{broken.ContentType.MimeType.ToLowerInvariant()} boundary \"{Clean(broken.Boundary)}\" never appears in its content: its parts are not separated";
                    unparsed = Clean(broken.Preamble).ReplaceLineEndings("\n").Trim();
                    break;
                case Multipart multipart when depth < MaxDepth:
                    for (var i = multipart.Count - 1; i >= 0; i--)
                    {
                        stack.Push((multipart[i], depth + 1));
                    }

                    break;
                case MessagePart embedded:
                    var measure = new MeasuringStream();
                    embedded.Message?.WriteTo(measure);
                    attachments.Add(new AttachmentInfo(NullIfEmpty(Clean(embedded.ContentDisposition?.FileName)), "message/rfc822", measure.Length, null));
                    break;
                case TextPart text when !text.IsAttachment && text.IsPlain && plain is null:
                    plain = text;
                    break;
                case TextPart text when !text.IsAttachment && text.IsHtml && html is null:
                    html = text;
                    break;
                case TextPart text when !text.IsAttachment && (text.IsPlain || text.IsHtml):
                    break;
                case MimePart part:
                    attachments.Add(Describe(part));
                    break;
            }
        }

        return (plain, html, defect, unparsed);
    }

    private AttachmentInfo Describe(MimePart part)
    {
        long size = 0;
        byte[]? content = null;
        if (part.Content is { } body)
        {
            // Decode through a measuring stream: the size without holding the bytes.
            if (_options.StoreAttachmentContents && body.Stream is { CanSeek: true } raw && raw.Length <= _options.MaxStoredAttachmentBytes * 2)
            {
                using var memory = new MemoryStream();
                body.DecodeTo(memory);
                size = memory.Length;
                content = size <= _options.MaxStoredAttachmentBytes ? memory.ToArray() : null;
            }
            else
            {
                using var measure = new MeasuringStream();
                body.DecodeTo(measure);
                size = measure.Length;
            }
        }

        return new AttachmentInfo(NullIfEmpty(Clean(part.FileName)), part.ContentType.MimeType.ToLowerInvariant(), size, content);
    }

    private static string ReadText(TextPart part, int maxChars, out bool truncated)
    {
        truncated = false;
        if (part.Content is null)
        {
            return "";
        }

        Encoding encoding;
        try
        {
            encoding = part.ContentType.CharsetEncoding ?? Encoding.UTF8;
        }
        catch (NotSupportedException)
        {
            encoding = Encoding.UTF8;
        }

        using var decoded = part.Content.Open();
        using var reader = new StreamReader(decoded, encoding, detectEncodingFromByteOrderMarks: true, bufferSize: 4096);
        var buffer = new char[Math.Min(maxChars + 1, 4096)];
        var builder = new StringBuilder();
        int read;
        while ((read = reader.Read(buffer, 0, Math.Min(buffer.Length, maxChars + 1 - builder.Length))) > 0)
        {
            builder.Append(buffer, 0, read);
            if (builder.Length > maxChars)
            {
                truncated = true;
                builder.Length = maxChars;
                break;
            }
        }

        return builder.ToString();
    }

    private static MailboxAddress? FirstMailbox(InternetAddressList list) => list.Mailboxes.FirstOrDefault(m => NormaliseAddress(m.Address) is not null);

    private static MailAddressList ToList(InternetAddressList list)
    {
        var result = new MailAddressList();
        foreach (var mailbox in list.Mailboxes)
        {
            if (NormaliseAddress(mailbox.Address) is { } address)
            {
                result.Add(address, Clean(mailbox.Name)?.Trim());
            }
        }

        return result;
    }

    private static MailAddressList Single(string address, string? name)
    {
        var list = new MailAddressList();
        list.Add(address, Clean(name)?.Trim());
        return list;
    }

    private static void AppendHash(IncrementalHash hash, string? value)
    {
        hash.AppendData(Encoding.UTF8.GetBytes(value ?? "\u0000null"));
        hash.AppendData("\u0001"u8);
    }

    private static string? CleanId(string? id)
    {
        var c = Clean(id)?.Trim().Trim('<', '>').Trim();
        return string.IsNullOrEmpty(c) ? null : c;
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    /// <summary>PostgreSQL text cannot hold NUL; invalid surrogates become U+FFFD.</summary>
    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(value))]
    internal static string? Clean(string? value)
    {
        if (value is null)
        {
            return null;
        }

        var clean = true;
        for (var i = 0; i < value.Length && clean; i++)
        {
            var c = value[i];
            if (c == '\0' || (char.IsHighSurrogate(c) && (i + 1 == value.Length || !char.IsLowSurrogate(value[++i]))) || char.IsLowSurrogate(c))
            {
                clean = false;
            }
        }

        if (clean)
        {
            return value;
        }

        var builder = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '\0')
            {
                continue;
            }

            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                builder.Append(c).Append(value[++i]);
            }
            else
            {
                builder.Append(char.IsSurrogate(c) ? '\uFFFD' : c);
            }
        }

        return builder.ToString();
    }

    private static ParserOptions CreateParserOptions()
    {
        // ISO-2022-JP, windows-125x and friends decode only with the code-page provider
        // registered, and before MimeKit builds its charset table (ParserOptions.Default does).
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var options = ParserOptions.Default.Clone();
        options.MaxMimeDepth = MaxDepth;
        return options;
    }
}

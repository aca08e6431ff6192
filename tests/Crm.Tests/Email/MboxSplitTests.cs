using System.Text;
using Crm.Pipeline.Sources;
using Crm.Pipeline.Sources.Email;
using MimeKit;

namespace Crm.Tests.Email;

/// <summary>
/// An mbox is cut into messages at its <c>From </c> lines and each is parsed on the thread pool (issue 20): the
/// messages, their order, offsets and sizes, and the quarantined one must be exactly those of one sequential parse.
/// </summary>
public sealed class MboxSplitTests
{
    private static readonly IntentRules Rules = IntentRules.Load(null);

    [Fact]
    public async Task ParallelParse_OfAHandMadeMbox_GivesTheSequentialParsesMessagesOffsetsAndQuarantine()
    {
        // 40 messages: quoted ">From " / ">>From " body lines (mboxo and mboxrd) that must not split, one CRLF message,
        // one larger than the splitter's 64 KiB read (a separator falls across reads), and one with broken headers.
        var parts = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            var body = i switch
            {
                3 => "Hello,\n>From the start this was quoted (mboxo).\n>>From here too (mboxrd).\nFrom-less line\n",
                7 => string.Concat(Enumerable.Repeat("a long line of the long message number seven, padded out\n", 1500)),
                _ => $"Body of message {i}.\nFromage is not a separator.\n",
            };
            var text = i == 11
                ? $"From b{i}@example.org Mon Nov  2 09:{i:00}:07 2026\nthis is not a header\nFrom: b{i}@example.org\n\nbroken\n\n"
                : $"From a{i}@example.org Mon Nov  2 09:{i:00}:07 2026\nFrom: a{i}@example.org\nTo: support@shop.example\nSubject: s{i}\nMessage-ID: <m{i}@example.org>\nDate: Mon, 02 Nov 2026 09:{i:00}:07 +0000\n\n{body}\n";
            parts.Add(i == 20 ? text.Replace("\n", "\r\n", StringComparison.Ordinal) : text);
        }

        var bytes = Encoding.UTF8.GetBytes(string.Concat(parts));
        var offsets = new long[parts.Count];
        for (var i = 1; i < parts.Count; i++)
        {
            offsets[i] = offsets[i - 1] + Encoding.UTF8.GetByteCount(parts[i - 1]);
        }

        var extractor = new EmailExtractor(new EmailOptions { StaffDomains = ["shop.example"] }, Rules);

        // The reference: MimeKit's sequential parse of the whole file, each message extracted in turn.
        var expected = new List<(long Offset, long Size, string? Subject, string? Body)>();
        using (var whole = new MemoryStream(bytes))
        {
            var parser = new MimeParser(whole, MimeFormat.Mbox);
            while (!parser.IsEndOfStream && expected.Count < 11)
            {
                var message = parser.ParseMessage();
                var offset = parser.MboxMarkerOffset;
                var email = extractor.Extract(message, "x", offset, null, parser.Position - offset, out _);
                expected.Add((offset, parser.Position - offset, email!.Subject, email.BodyText));
            }
        }

        var sink = new CollectingSink();
        await using var stream = new MemoryStream(bytes);
        var (messages, stoppedAt) = await EmailFileIngester.LandMboxAsync(stream, "test.mbox", extractor, sink, CancellationToken.None);

        Assert.Equal(40, messages);
        Assert.Null(stoppedAt);
        Assert.Equal(39, sink.Emails.Count);
        // Order and offsets as written, each message from its separator to the next one.
        Assert.Equal(offsets.Where((_, i) => i != 11).Select(o => $"test.mbox@{o}"), sink.Emails.Select(e => e.Location));
        Assert.Equal(offsets.Where((_, i) => i != 11), sink.Emails.Select(e => e.Position!.Value));
        Assert.Equal(parts.Where((_, i) => i != 11).Select(p => (long)Encoding.UTF8.GetByteCount(p)), sink.Emails.Select(e => e.SizeBytes));
        Assert.Equal(Enumerable.Range(0, 40).Where(i => i != 11).Select(i => $"s{i}"), sink.Emails.Select(e => e.Subject));
        // The messages before the broken one equal the sequential parse's, text included (the quoted lines stay in the message).
        Assert.Equal(expected, sink.Emails.Take(11).Select(e => (e.Position!.Value, e.SizeBytes, e.Subject, e.BodyText)));
        Assert.Contains("From-less line", sink.Emails[3].BodyText, StringComparison.Ordinal);
        Assert.Contains("From the start this was quoted", sink.Emails[3].BodyText + sink.Emails[3].QuotedText, StringComparison.Ordinal);
        Assert.Contains("From here too", sink.Emails[3].BodyText + sink.Emails[3].QuotedText, StringComparison.Ordinal);

        var rejected = Assert.Single(sink.Rejected);
        Assert.Equal(offsets[11], rejected.ByteOffset);
        Assert.Equal(12, rejected.LineNumber); // the file's 12th message
        Assert.StartsWith("unparseable mbox data from byte " + offsets[11], rejected.Reason, StringComparison.Ordinal);
        Assert.Equal(parts[11], rejected.RawText);
    }

    [Fact]
    public async Task LastMessageUnparseable_SaysWhereTheReadingStopped()
    {
        const string Good = "From a@example.org Mon Nov  2 09:15:07 2026\nFrom: a@example.org\nSubject: one\n\nfirst\n\n";
        const string Broken = "From b@example.org Mon Nov  2 09:16:07 2026\nthis is not a header\n";
        var sink = new CollectingSink();
        await using var stream = new MemoryStream(Encoding.UTF8.GetBytes(Good + Broken));

        var (messages, stoppedAt) = await EmailFileIngester.LandMboxAsync(
            stream, "t.mbox", new EmailExtractor(new EmailOptions(), Rules), sink, CancellationToken.None);

        Assert.Equal(2, messages);
        Assert.Equal($"byte {Good.Length}", stoppedAt);
        Assert.Equal("one", Assert.Single(sink.Emails).Subject);
        Assert.Equal(Good.Length, Assert.Single(sink.Rejected).ByteOffset);
    }

    [Fact]
    public async Task ParallelParse_KeepsAttachmentSizesAndContentHashes_OfTheSequentialParse()
    {
        // A part that runs to its message's end ends, in one parse of the whole file, before the line break that precedes
        // the next separator (LF or CRLF); parsed alone it must end there too, or its size and the message's content hash
        // (the de-duplication key) change. A message that is its separator line alone is rejected as the whole parse does.
        static string Attached(int i, string eol) =>
            string.Join(eol, $"From a{i}@example.org Mon Nov  2 09:{i:00}:07 2026", $"From: a{i}@example.org", "To: support@shop.example",
                $"Subject: s{i}", $"Message-ID: <m{i}@example.org>", "Content-Type: application/octet-stream",
                $"Content-Disposition: attachment; filename=\"f{i}.bin\"", "", $"payload {i} ends here", "", "");
        var parts = new[]
        {
            Attached(0, "\n"),
            Attached(1, "\r\n"),
            "From lonely@example.org Mon Nov  2 09:02:07 2026\n",
            "From a3@example.org Mon Nov  2 09:03:07 2026\nFrom: a3@example.org\nSubject: s3\nContent-Type: message/rfc822\n\nFrom: inner@example.org\nSubject: inner\n\ninner body\n\n",
            Attached(4, "\n").TrimEnd('\n'), // the file's last message, no line break after it
        };
        var bytes = Encoding.UTF8.GetBytes(string.Concat(parts));
        var extractor = new EmailExtractor(new EmailOptions { StaffDomains = ["shop.example"] }, Rules);

        var expected = new List<string>();
        using (var whole = new MemoryStream(bytes))
        {
            var parser = new MimeParser(whole, MimeFormat.Mbox);
            while (!parser.IsEndOfStream)
            {
                var message = parser.ParseMessage();
                var offset = parser.MboxMarkerOffset;
                var email = extractor.Extract(message, "x", offset, null, parser.Position - offset, out var rejection);
                expected.Add(email is null ? $"rejected {offset}: {rejection}" : Describe(email));
            }
        }

        var sink = new CollectingSink();
        await using var stream = new MemoryStream(bytes);
        var (messages, stoppedAt) = await EmailFileIngester.LandMboxAsync(stream, "t.mbox", extractor, sink, CancellationToken.None);

        Assert.Equal(5, messages);
        Assert.Null(stoppedAt);
        Assert.Equal(5, expected.Count);
        Assert.Equal(expected.Where(e => !e.StartsWith("rejected", StringComparison.Ordinal)), sink.Emails.Select(Describe));
        var rejected = Assert.Single(sink.Rejected);
        Assert.Equal(Assert.Single(expected, e => e.StartsWith("rejected", StringComparison.Ordinal)), $"rejected {rejected.ByteOffset}: {rejected.Reason}");
        Assert.Equal(3, rejected.LineNumber);
        // Independently of MimeKit: the attachments hold their payload line and its own line break, not the blank line.
        Assert.Equal(["f0.bin|20", "f1.bin|21", "f4.bin|19"], sink.Emails.Where(e => e.Subject != "s3").Select(e => $"{e.Attachments[0].FileName}|{e.Attachments[0].SizeBytes}"));

        static string Describe(ParsedEmail e) =>
            $"{e.Position}|{e.SizeBytes}|{e.ContentHash}|{e.BodyText}|{string.Join(';', e.Attachments.Select(a => $"{a.FileName}|{a.ContentType}|{a.SizeBytes}"))}";
    }

    [Fact]
    public async Task EmptyFile_IsOneUnparseableMessage_AsTheSequentialParseSaidIt()
    {
        var sink = new CollectingSink();
        await using var stream = new MemoryStream([]);

        var (messages, stoppedAt) = await EmailFileIngester.LandMboxAsync(
            stream, "empty.mbox", new EmailExtractor(new EmailOptions(), Rules), sink, CancellationToken.None);

        Assert.Equal(1, messages);
        Assert.Equal("byte 0", stoppedAt);
        Assert.Empty(sink.Emails);
        var row = Assert.Single(sink.Rejected);
        Assert.Equal((1L, 0L, 0L), (row.LineNumber!.Value, row.ByteOffset!.Value, row.RawLength));
        Assert.Equal("unparseable mbox data from byte 0: the file is empty", row.Reason);
    }

    private sealed class CollectingSink : IEmailSink
    {
        public List<ParsedEmail> Emails { get; } = [];

        public List<QuarantineRow> Rejected { get; } = [];

        public Task AddAsync(ParsedEmail email, string sourceKind, CancellationToken cancellationToken)
        {
            Emails.Add(email);
            return Task.CompletedTask;
        }

        public void Quarantine(QuarantineRow row) => Rejected.Add(row);
    }
}

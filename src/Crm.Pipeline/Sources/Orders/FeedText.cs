using System.Text;
using System.Text.Unicode;

namespace Crm.Pipeline.Sources.Orders;

/// <summary>
/// Turns an order file's bytes into the UTF-8 records the parser reads: strips a byte order mark,
/// transcodes other encodings (<see cref="OrderFeedOptions.Encoding"/>) and refuses a file that is
/// not text at all, so a spreadsheet or an archive is named as such instead of failing the mapping.
/// </summary>
/// <remarks>
/// UTF-8 files are not transcoded: their records stay raw bytes, so an invalid sequence is
/// quarantined with its byte offset. A transcoded file's offsets count its UTF-8 form.
/// </remarks>
public static class FeedText
{
    /// <summary>Bytes looked at to decide whether a file is text.</summary>
    public const int ProbeBytes = 4096;

    /// <summary>
    /// Resolves an <see cref="OrderFeedOptions.Encoding"/> value: null for <c>auto</c>, else the encoding.
    /// </summary>
    /// <exception cref="ArgumentException">.NET knows no encoding of that name.</exception>
    public static Encoding? Resolve(string? name)
    {
        if (string.IsNullOrWhiteSpace(name) || string.Equals(name.Trim(), "auto", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return Encoding.GetEncoding(name.Trim());
    }

    /// <summary>
    /// Wraps <paramref name="raw"/> as a UTF-8 stream without a byte order mark. Reads the file's
    /// first block to find a byte order mark and to check that it is text.
    /// </summary>
    /// <param name="raw">The file's (decompressed) bytes; disposed with the returned stream.</param>
    /// <param name="encodingSetting">The feed's <see cref="OrderFeedOptions.Encoding"/>.</param>
    /// <param name="encodingName">The encoding used, e.g. <c>utf-8</c> or <c>utf-16LE (BOM)</c>.</param>
    /// <exception cref="InvalidDataException">The file is not text (NUL bytes or undecodable bytes throughout its first block).</exception>
    public static Stream OpenUtf8(Stream raw, string? encodingSetting, out string encodingName)
    {
        ArgumentNullException.ThrowIfNull(raw);
        var configured = Resolve(encodingSetting);
        var head = ReadBlock(raw, ProbeBytes);
        Encoding? source = configured;
        var skip = 0;
        if (head.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) && (configured is null || configured is UTF8Encoding))
        {
            source = null;
            skip = 3;
            encodingName = "utf-8 (BOM)";
        }
        else if (configured is null && head.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
        {
            source = Encoding.Unicode;
            skip = 2;
            encodingName = "utf-16LE (BOM)";
        }
        else if (configured is null && head.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            source = Encoding.BigEndianUnicode;
            skip = 2;
            encodingName = "utf-16BE (BOM)";
        }
        else if (configured is not null && configured.Preamble.Length > 0 && head.AsSpan().StartsWith(configured.Preamble))
        {
            skip = configured.Preamble.Length;
            encodingName = configured.WebName + " (BOM)";
        }
        else
        {
            encodingName = configured?.WebName ?? "utf-8";
        }

        if (source is UTF8Encoding)
        {
            source = null;
        }

        Stream text = new PrefixedStream(head.AsMemory(skip), raw);
        if (source is not null)
        {
            text = Encoding.CreateTranscodingStream(text, source, new UTF8Encoding(false), leaveOpen: false);
        }

        var probe = ReadBlock(text, ProbeBytes);
        if (configured is null && skip == 0 && Utf16WithoutBom(head) is { } utf16)
        {
            // Excel and some POS exports write UTF-16 without a byte order mark; reading it as UTF-8 finds
            // NUL bytes, and "not a text file" would send the user the wrong way. Say what it looks like.
            text.Dispose();
            throw new InvalidDataException(
                $"the file looks like {utf16} text without a byte order mark (every other byte is NUL); set the feed's Encoding to '{utf16}' to read it.");
        }

        if (NotTextReason(probe, source is null ? encodingName : null) is { } why)
        {
            text.Dispose();
            throw new InvalidDataException(
                $"not a text file: {why} in its first {probe.Length} bytes (read as {encodingName}). Order feeds are CSV, TSV, whitespace-separated or JSON-lines text: export the data as text, or set the feed's Encoding if it is text in another encoding (utf-16, windows-1252, …).");
        }

        return new PrefixedStream(probe, text);
    }

    /// <summary>
    /// <c>utf-16LE</c> or <c>utf-16BE</c> when the block is ASCII-range text in that encoding: at least 16
    /// bytes, and NUL in nearly every odd (LE) or even (BE) position but in none of the others.
    /// </summary>
    internal static string? Utf16WithoutBom(ReadOnlySpan<byte> block)
    {
        var pairs = block.Length / 2;
        if (pairs < 8)
        {
            return null;
        }

        int evenNul = 0, oddNul = 0;
        for (var i = 0; i < pairs * 2; i += 2)
        {
            evenNul += block[i] == 0 ? 1 : 0;
            oddNul += block[i + 1] == 0 ? 1 : 0;
        }

        // Text outside ASCII (é, 张) has non-NUL high bytes, so ask for 90 % rather than all.
        if (evenNul == 0 && oddNul * 10 >= pairs * 9)
        {
            return "utf-16LE";
        }

        return oddNul == 0 && evenNul * 10 >= pairs * 9 ? "utf-16BE" : null;
    }

    /// <summary>Why the first block of a UTF-8 stream is not text, or null when it is.</summary>
    private static string? NotTextReason(byte[] block, string? utf8Name)
    {
        if (block.Length == 0)
        {
            return null;
        }

        var nul = Array.IndexOf(block, (byte)0);
        if (nul >= 0)
        {
            return $"a NUL byte at offset {nul}";
        }

        // Count control characters and undecodable bytes; a few are noise, many mean binary data.
        var bad = 0;
        var span = block.AsSpan();
        var chars = new char[block.Length];
        Utf8.ToUtf16(span, chars, out _, out var written, replaceInvalidSequences: true, isFinalBlock: false);
        for (var i = 0; i < written; i++)
        {
            var c = chars[i];
            if (c == '\uFFFD' || (c < ' ' && c is not '\t' and not '\r' and not '\n' and not '\f'))
            {
                bad++;
            }
        }

        return bad * 10 > Math.Max(written, 1)
            ? utf8Name is null ? $"{bad} control or undecodable characters" : $"{bad} control characters or invalid UTF-8 sequences"
            : null;
    }

    private static byte[] ReadBlock(Stream stream, int size)
    {
        var buffer = new byte[size];
        var filled = 0;
        while (filled < size)
        {
            var n = stream.Read(buffer, filled, size - filled);
            if (n == 0)
            {
                break;
            }

            filled += n;
        }

        return filled == size ? buffer : buffer[..filled];
    }

    /// <summary>A read-only stream that returns bytes already read, then the rest of the inner stream.</summary>
    private sealed class PrefixedStream(ReadOnlyMemory<byte> prefix, Stream inner) : Stream
    {
        private ReadOnlyMemory<byte> _prefix = prefix;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_prefix.Length > 0)
            {
                var n = Math.Min(buffer.Length, _prefix.Length);
                _prefix.Span[..n].CopyTo(buffer);
                _prefix = _prefix[n..];
                return n;
            }

            return inner.Read(buffer);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}

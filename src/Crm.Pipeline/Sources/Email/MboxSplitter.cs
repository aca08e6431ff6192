namespace Crm.Pipeline.Sources.Email;

/// <summary>
/// Cuts an mbox stream into its messages' bytes at the <c>From </c> separator lines, reading forward only, so each
/// message can be parsed on its own thread. A separator is a line that starts with the five bytes <c>From </c>, as
/// MimeKit's mbox parser takes it: mboxo and mboxrd writers quote such body lines (<c>&gt;From </c>,
/// <c>&gt;&gt;From </c>), and a quoted line starts with <c>&gt;</c>, so it never splits a message.
/// </summary>
internal sealed class MboxSplitter
{
    private static ReadOnlySpan<byte> Separator => "\nFrom "u8;

    private readonly Stream _stream;
    private byte[] _buffer = new byte[1 << 16];
    private int _length;      // bytes held in _buffer
    private int _start;       // where the current message starts in _buffer
    private int _searchFrom;  // where the next look for a separator starts in _buffer
    private long _bufferStart; // the file offset of _buffer[0]
    private bool _ended;
    private bool _pastPreamble;

    /// <summary>Reads <paramref name="stream"/> from its current position (the file's start).</summary>
    public MboxSplitter(Stream stream) => _stream = stream;

    /// <summary>
    /// The next message's bytes, from its separator up to the next one (or the end), and its file offset; false at the
    /// end. Bytes before the first separator stay with the first message (MimeKit's parser skips them).
    /// <c>ParseLength</c> is how many of the bytes a parser of this message alone must read to see what a parser of the
    /// whole file sees: the line break just before the next separator belongs to the separator (MimeKit's sequential
    /// parse ends the message's last part before it), so it is left out; at the end of the file nothing is.
    /// </summary>
    public async ValueTask<(bool Found, long Offset, byte[] Bytes, int ParseLength)> NextAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            // A separator after the message's own (its "From " line at _start, or a preamble before the first).
            var from = Math.Max(_searchFrom, _start);
            var at = _buffer.AsSpan(from, _length - from).IndexOf(Separator);
            if (at >= 0)
            {
                var end = from + at + 1; // the separator line's first byte
                if (_bufferStart + _start == 0 && !_buffer.AsSpan(0, _length).StartsWith("From "u8) && !_pastPreamble)
                {
                    // Bytes before the file's first separator: they stay with the first message.
                    _pastPreamble = true;
                    _searchFrom = end;
                    continue;
                }

                return Take(end, atSeparator: true);
            }

            _searchFrom = Math.Max(from, _length - (Separator.Length - 1)); // a separator cut by the read stays findable
            if (_ended)
            {
                return _length > _start ? Take(_length, atSeparator: false) : (false, 0, [], 0);
            }

            await FillAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private (bool, long, byte[], int) Take(int end, bool atSeparator)
    {
        var bytes = _buffer.AsSpan(_start, end - _start).ToArray();
        var offset = _bufferStart + _start;
        var parseLength = bytes.Length;
        if (atSeparator && !EndsWithSeparatorLine(bytes))
        {
            // The message ends with the '\n' of "\nFrom "; a '\r' before it is the same line break. When the message is
            // its separator line alone, that line break ends the separator line itself and stays.
            parseLength -= bytes.Length >= 2 && bytes[^2] == (byte)'\r' ? 2 : 1;
        }

        _start = end;
        _searchFrom = end;
        return (true, offset, bytes, parseLength);
    }

    /// <summary>Whether the last line of <paramref name="bytes"/> (which end with '\n') is a <c>From </c> line.</summary>
    private static bool EndsWithSeparatorLine(byte[] bytes)
    {
        var lineStart = bytes.AsSpan(0, bytes.Length - 1).LastIndexOf((byte)'\n') + 1;
        return bytes.AsSpan(lineStart).StartsWith("From "u8);
    }

    private async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            // Drop what was handed out: the current message moves to the front.
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _length - _start);
            _length -= _start;
            _searchFrom -= _start;
            _bufferStart += _start;
            _start = 0;
        }

        if (_length == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2); // one message larger than the buffer
        }

        var read = await _stream.ReadAsync(_buffer.AsMemory(_length), cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            _ended = true;
        }

        _length += read;
    }
}

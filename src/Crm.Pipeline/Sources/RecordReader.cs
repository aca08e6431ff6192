namespace Crm.Pipeline.Sources;

/// <summary>
/// Reads newline-terminated records from a byte stream without decoding them, so the
/// caller can validate encodings per record and quarantine the bad ones with their byte
/// offset. With <see cref="QuoteAware"/> a quoted field may span lines, as CSV allows.
/// A record longer than <see cref="MaxRecordBytes"/> is skipped to its end and reported
/// as oversized with its first bytes, so one enormous field never fills memory.
/// </summary>
/// <remarks>
/// Sylvan.Data.Csv reads decoded text and replaces invalid UTF-8 silently; we need the
/// byte offset and the raw bytes of every rejected record, hence this small reader.
/// </remarks>
public sealed class RecordReader
{
    private readonly Stream _stream;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private bool _eof;
    private long _bufferOffset; // stream offset of _buffer[0]

    /// <summary>Creates a reader over <paramref name="stream"/>.</summary>
    public RecordReader(Stream stream, int maxRecordBytes = 1 << 20, bool quoteAware = false, byte quote = (byte)'"')
    {
        _stream = stream;
        MaxRecordBytes = maxRecordBytes;
        QuoteAware = quoteAware;
        Quote = quote;
        _buffer = new byte[Math.Max(64 * 1024, Math.Min(maxRecordBytes + 2, 4 << 20))];
    }

    /// <summary>Longest record kept whole.</summary>
    public int MaxRecordBytes { get; }

    /// <summary>Whether newlines inside quotes belong to the record.</summary>
    public bool QuoteAware { get; }

    /// <summary>The quote byte.</summary>
    public byte Quote { get; }

    /// <summary>Line number (1-based) of the first line of the last record returned.</summary>
    public long LineNumber { get; private set; }

    /// <summary>Byte offset in the stream of the last record returned.</summary>
    public long RecordOffset { get; private set; }

    /// <summary>True when the last record was longer than <see cref="MaxRecordBytes"/>; the record holds its first bytes.</summary>
    public bool Oversized { get; private set; }

    /// <summary>Full length in bytes of the last record, even when oversized.</summary>
    public long RecordLength { get; private set; }

    /// <summary>True when the last record ended at end of stream without a newline.</summary>
    public bool Unterminated { get; private set; }

    /// <summary>Byte offset just past the last complete (newline-terminated) record.</summary>
    public long CommittedOffset { get; private set; }

    private long _nextLine = 1;

    /// <summary>
    /// Reads the next record. Returns false at end of stream. The span is valid until the next call
    /// and excludes the line terminator (LF or CRLF).
    /// </summary>
    public bool TryRead(out ReadOnlySpan<byte> record)
    {
        Oversized = false;
        Unterminated = false;
        LineNumber = _nextLine;
        RecordOffset = _bufferOffset + _start;
        var inQuotes = false;
        var scan = _start;
        long skipped = 0; // bytes dropped from an oversized record
        while (true)
        {
            // Look for the record's end in what is buffered.
            var found = -1;
            if (!QuoteAware)
            {
                var idx = _buffer.AsSpan(scan, _end - scan).IndexOf((byte)'\n');
                if (idx >= 0)
                {
                    found = scan + idx;
                }
                else
                {
                    scan = _end;
                }
            }
            else
            {
                for (var i = scan; i < _end; i++)
                {
                    var b = _buffer[i];
                    if (b == Quote)
                    {
                        inQuotes = !inQuotes;
                    }
                    else if (b == (byte)'\n')
                    {
                        if (!inQuotes)
                        {
                            found = i;
                            break;
                        }

                        _nextLine++;
                    }
                }

                if (found < 0)
                {
                    scan = _end;
                }
            }

            if (found >= 0)
            {
                var length = found - _start;
                var content = _buffer.AsSpan(_start, length);
                if (content.Length > 0 && content[^1] == (byte)'\r')
                {
                    content = content[..^1];
                }

                RecordLength = skipped + length + 1;
                if (skipped > 0 || content.Length > MaxRecordBytes)
                {
                    Oversized = true;
                }

                _start = found + 1;
                _nextLine++;
                CommittedOffset = _bufferOffset + _start;
                record = Oversized && content.Length > MaxRecordBytes ? content[..MaxRecordBytes] : content;
                return true;
            }

            // Need more bytes. Keep what we have, unless the record is already too long:
            // then keep only its head and drop the rest as it streams past.
            var pending = _end - _start;
            if (pending > MaxRecordBytes)
            {
                // Keep the record's first bytes for the quarantine row; later bytes of the
                // buffer map to stream offsets shifted by what was dropped.
                var keep = Math.Min(pending, 4096);
                var drop = pending - keep;
                skipped += drop;
                _end = _start + keep;
                _bufferOffset += drop;
                scan = _end;
            }

            if (_eof)
            {
                if (_end == _start && skipped == 0)
                {
                    record = default;
                    return false;
                }

                var content = _buffer.AsSpan(_start, _end - _start);
                RecordLength = skipped + content.Length;
                Oversized = skipped > 0 || content.Length > MaxRecordBytes;
                Unterminated = true;
                _start = _end;
                record = content.Length > MaxRecordBytes ? content[..MaxRecordBytes] : content;
                return true;
            }

            Fill(ref scan);
        }
    }

    private void Fill(ref int scan)
    {
        if (_start > 0)
        {
            var pending = _end - _start;
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, pending);
            _bufferOffset += _start;
            scan -= _start;
            _end = pending;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }

        var read = _stream.Read(_buffer, _end, _buffer.Length - _end);
        if (read == 0)
        {
            _eof = true;
        }
        else
        {
            _end += read;
        }
    }
}

using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;

namespace Crm.Pipeline.Sources;

/// <summary>
/// Decompresses a gzip file (RFC 1952) member by member, concatenated members included, and checks
/// that every member is whole: its deflate data ends, and its trailer's CRC-32 and ISIZE match what
/// was decompressed. <see cref="GZipStream"/> alone returns end of stream when the file is cut short
/// (a copy still running, a disk that filled up), so a truncated archive would read as a shorter,
/// complete one; this stream throws instead, naming the file, when it reaches the end.
/// </summary>
/// <remarks>
/// The deflate decoder reads ahead of the end of a member, so where the trailer starts is found by
/// looking for the expected eight trailer bytes (the CRC-32 and length of what this member
/// decompressed to) in the last input it was given; a match that is not the trailer is a 2^-64
/// coincidence, and would surface as a bad next member header rather than as lost data.
/// Zero bytes after the last member (padding) are ignored, as gzip(1) does; anything else there fails.
/// </remarks>
internal sealed class GzipVerifyingStream : Stream
{
    private const int ChunkBytes = 8192;

    private readonly Stream _file;
    private readonly string _path;
    private readonly Feeder _feeder;
    private readonly Crc32 _crc = new();
    private DeflateStream? _deflate;
    private long _next;          // where the next member starts in the file
    private long _memberStart;
    private long _dataStart;     // where the current member's deflate data starts
    private long _memberLength;  // bytes decompressed from the current member
    private int _members;
    private bool _done;

    /// <summary>Reads <paramref name="file"/> (seekable, positioned at its start), closing it on dispose.</summary>
    public GzipVerifyingStream(Stream file, string path)
    {
        if (!file.CanSeek)
        {
            throw new ArgumentException("The gzip verifier needs a seekable stream.", nameof(file));
        }

        _file = file;
        _path = path;
        _feeder = new Feeder(file);
    }

    /// <inheritdoc />
    public override bool CanRead => true;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override bool CanWrite => false;

    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (!_done)
        {
            if (_deflate is null && !BeginMember())
            {
                _done = true;
                break;
            }

            int read;
            try
            {
                read = _deflate!.Read(buffer);
            }
            catch (InvalidDataException)
            {
                // The decoder's own message ("unsupported compression method") says nothing useful here.
                throw new InvalidDataException(
                    $"corrupt gzip: {_path}: member {_members} holds invalid deflate data (before byte {_feeder.End} of {_file.Length})");
            }

            if (read > 0)
            {
                _crc.Append(buffer[..read]);
                _memberLength += read;
                return read;
            }

            EndMember();
        }

        return 0;
    }

    /// <inheritdoc />
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // The file is opened for synchronous reads (as SourceFile always did) and mostly served from its buffer.
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Read(buffer.Span));
    }

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override void Flush()
    {
    }

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _deflate?.Dispose();
            _file.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>Parses the next member's header; false at the end of the file (or only zero padding left).</summary>
    private bool BeginMember()
    {
        _file.Position = _next;
        var first = _file.ReadByte();
        if (first < 0)
        {
            return false;
        }

        if (first == 0 && _members > 0 && OnlyZerosLeft())
        {
            return false;
        }

        _memberStart = _next;
        _members++;
        if (first != 0x1f || Next() != 0x8b)
        {
            throw new InvalidDataException(_members == 1
                ? $"corrupt gzip: {_path} does not start with the gzip signature"
                : $"corrupt gzip: {_path}: {_file.Length - _memberStart} byte(s) after the last member at byte {_memberStart} are not a gzip member");
        }

        if (Next() != 8)
        {
            throw new InvalidDataException($"corrupt gzip: {_path}: member {_members} does not use deflate compression");
        }

        var flags = Next();
        if ((flags & 0xE0) != 0)
        {
            throw new InvalidDataException($"corrupt gzip: {_path}: member {_members} sets reserved header flags");
        }

        for (var i = 0; i < 6; i++)
        {
            Next(); // MTIME, XFL, OS
        }

        if ((flags & 0x04) != 0) // FEXTRA
        {
            var length = Next() | (Next() << 8);
            for (var i = 0; i < length; i++)
            {
                Next();
            }
        }

        if ((flags & 0x08) != 0) // FNAME
        {
            while (Next() != 0)
            {
            }
        }

        if ((flags & 0x10) != 0) // FCOMMENT
        {
            while (Next() != 0)
            {
            }
        }

        if ((flags & 0x02) != 0) // FHCRC
        {
            Next();
            Next();
        }

        _dataStart = _file.Position;
        _feeder.Start(_dataStart);
        _deflate = new DeflateStream(_feeder, CompressionMode.Decompress, leaveOpen: true);
        _crc.Reset();
        _memberLength = 0;
        return true;
    }

    /// <summary>The decoder stopped: find and check the member's trailer, and move past it.</summary>
    private void EndMember()
    {
        _deflate!.Dispose();
        _deflate = null;
        Span<byte> expected = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(expected, _crc.GetCurrentHashAsUInt32());
        BinaryPrimitives.WriteUInt32LittleEndian(expected[4..], unchecked((uint)_memberLength));

        // The deflate data ended inside the last two inputs the decoder was given; the trailer follows it.
        var from = Math.Max(_dataStart, _feeder.PreviousStart);
        var to = Math.Min(_file.Length, _feeder.End + expected.Length);
        var window = new byte[to - from];
        _file.Position = from;
        _file.ReadExactly(window);
        var at = window.AsSpan().IndexOf(expected);
        if (at >= 0)
        {
            _next = from + at + expected.Length;
            return;
        }

        // No trailer: the file ended before it (the decoder asked for more, the file ends in a prefix of it, or it ends
        // right after the data with nothing of the trailer there), or a trailer that does not match (half of it does).
        var endsHere = to == _file.Length;
        if (_feeder.HitEnd || EndsWithPrefixOf(window, expected) || (endsHere && !HalfMatchesAtEnd(window, expected)))
        {
            throw new InvalidDataException(
                $"truncated gzip: {_path} ends inside member {_members} ({_file.Length - _memberStart} of its bytes there, {_memberLength} decompressed); it loads once the file is complete");
        }

        throw new InvalidDataException(
            $"corrupt gzip: {_path}: member {_members}'s CRC-32 or length does not match its {_memberLength} decompressed bytes");
    }

    private static bool EndsWithPrefixOf(ReadOnlySpan<byte> window, ReadOnlySpan<byte> expected)
    {
        for (var k = Math.Min(expected.Length - 1, window.Length); k > 0; k--)
        {
            if (window[^k..].SequenceEqual(expected[..k]))
            {
                return true;
            }
        }

        return false;
    }

    private static bool HalfMatchesAtEnd(ReadOnlySpan<byte> window, ReadOnlySpan<byte> expected) =>
        window.Length >= expected.Length
        && (window[^8..^4].SequenceEqual(expected[..4]) || window[^4..].SequenceEqual(expected[4..]));

    private bool OnlyZerosLeft()
    {
        int b;
        while ((b = _file.ReadByte()) == 0)
        {
        }

        return b < 0;
    }

    /// <summary>The next header byte; the file ending inside a header is truncation.</summary>
    private int Next()
    {
        var b = _file.ReadByte();
        return b >= 0
            ? b
            : throw new InvalidDataException($"truncated gzip: {_path} ends inside the header of member {_members}; it loads once the file is complete");
    }

    /// <summary>Hands the decoder the file from a position, in chunks, remembering where the last two began and whether it hit the end.</summary>
    private sealed class Feeder(Stream file) : Stream
    {
        private long _lastStart;

        public long PreviousStart { get; private set; }

        public long End { get; private set; }

        public bool HitEnd { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public void Start(long position)
        {
            PreviousStart = position;
            _lastStart = position;
            End = position;
            HitEnd = false;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            file.Position = End;
            var read = file.Read(buffer[..Math.Min(buffer.Length, ChunkBytes)]);
            if (read == 0)
            {
                HitEnd = true;
                return 0;
            }

            PreviousStart = _lastStart;
            _lastStart = End;
            End += read;
            return read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

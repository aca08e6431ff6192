using System.IO.Compression;

namespace Crm.Synthetic;

/// <summary>A file being written, plain or gzipped, behind a large buffer, counting lines and bytes.</summary>
internal sealed class OutputFile : IDisposable
{
    private readonly FileStream _file;
    private readonly GZipStream? _gzip;
    private readonly BufferedStream _buffer;

    public OutputFile(string root, string relativePath, bool gzip)
    {
        RelativePath = gzip ? relativePath + ".gz" : relativePath;
        var full = Path.Combine(root, RelativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        _file = new FileStream(full, FileMode.Create, FileAccess.Write, FileShare.Read, 1);
        Stream inner = _file;
        if (gzip)
        {
            // Fastest keeps generation I/O-bound; the output is deterministic for one zlib build.
            _gzip = new GZipStream(_file, CompressionLevel.Fastest, leaveOpen: true);
            inner = _gzip;
        }

        _buffer = new BufferedStream(inner, 1 << 18);
    }

    /// <summary>Path relative to the output root, with <c>.gz</c> when compressed.</summary>
    public string RelativePath { get; }

    /// <summary>Lines written so far (the number of the next line is <c>Lines + 1</c>).</summary>
    public long Lines { get; set; }

    /// <summary>Uncompressed bytes written.</summary>
    public long Bytes { get; private set; }

    public Stream Stream => _buffer;

    public void Write(ReadOnlySpan<byte> bytes)
    {
        _buffer.Write(bytes);
        Bytes += bytes.Length;
    }

    public void WriteLine(ReadOnlySpan<byte> bytes)
    {
        _buffer.Write(bytes);
        _buffer.WriteByte((byte)'\n');
        Bytes += bytes.Length + 1;
        Lines++;
    }

    public void Dispose()
    {
        _buffer.Dispose();
        _gzip?.Dispose();
        _file.Dispose();
    }
}

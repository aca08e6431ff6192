using System.IO.Compression;
using System.Security.Cryptography;

namespace Crm.Pipeline.Sources;

/// <summary>Opening and fingerprinting source files as they arrive: plain or gzipped.</summary>
public static class SourceFile
{
    /// <summary>SHA-256 of the file's bytes as stored (hex), and its size.</summary>
    public static async Task<(string Sha256, long Size)> FingerprintAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16, useAsync: true);
        var hash = await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false);
        return (Convert.ToHexStringLower(hash), stream.Length);
    }

    /// <summary>Whether the file starts with the gzip magic bytes (whatever its name).</summary>
    public static bool IsGzip(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        Span<byte> head = stackalloc byte[2];
        return stream.Read(head) == 2 && head[0] == 0x1f && head[1] == 0x8b;
    }

    /// <summary>Opens the file for reading, decompressing gzip transparently.</summary>
    public static Stream OpenRead(string path)
    {
        var gzip = IsGzip(path);
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        return gzip ? new GZipStream(file, CompressionMode.Decompress, leaveOpen: false) : file;
    }
}

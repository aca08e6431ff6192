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

    /// <summary>
    /// Opens the file for reading, decompressing gzip transparently. A gzip file is checked as it is read
    /// (<see cref="GzipVerifyingStream"/>): reading a truncated or damaged one to its end throws an
    /// <see cref="InvalidDataException"/> whose message names the file and starts "truncated gzip" or
    /// "corrupt gzip", so the caller must not commit what it read before the end.
    /// </summary>
    public static Stream OpenRead(string path)
    {
        var gzip = IsGzip(path);
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        return gzip ? new GzipVerifyingStream(file, path) : file;
    }

    /// <summary>
    /// Reads a gzip file to its end, checking every member (see <see cref="OpenRead"/>), for callers that
    /// commit as they read and so must know the file is whole first. Throws <see cref="InvalidDataException"/> when it is not.
    /// </summary>
    public static async Task VerifyGzipAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = OpenRead(path);
        var buffer = new byte[1 << 16];
        while (await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false) > 0)
        {
        }
    }
}

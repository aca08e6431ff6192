using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Crm.Pipeline.Sources.WebLogs;

/// <summary>
/// What identifies a log file across rotation: the SHA-256 of its first bytes (decompressed, so
/// <c>access.log.1</c> and the later <c>access.log.2.gz</c> match), plus device and inode for a
/// plain file that is renamed in place. Also whether the file is final (rotated: it will not grow).
/// </summary>
internal sealed partial record LogFileProbe(string Path, byte[] Head, bool IsGzip, bool IsFinal, long? Device, long? Inode, long StoredSize, uint? GzipSizeMod32)
{
    /// <summary>Bytes of the head that identify a file.</summary>
    public const int HeadBytes = 4096;

    public static LogFileProbe Read(string path)
    {
        var gzip = SourceFile.IsGzip(path);
        byte[] head;
        using (var stream = SourceFile.OpenRead(path))
        {
            var buffer = new byte[HeadBytes];
            var total = 0;
            int read;
            while (total < buffer.Length && (read = stream.Read(buffer, total, buffer.Length - total)) > 0)
            {
                total += read;
            }

            head = buffer[..total];
        }

        var size = new FileInfo(path).Length;
        uint? isize = null;
        if (gzip && size >= 18)
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            file.Seek(-4, SeekOrigin.End);
            Span<byte> tail = stackalloc byte[4];
            file.ReadExactly(tail);
            isize = BitConverter.ToUInt32(tail);
        }

        var (device, inode) = Stat(path);
        var final = gzip || RotatedName().IsMatch(System.IO.Path.GetFileName(path));
        return new LogFileProbe(path, head, gzip, final, device, inode, size, isize);
    }

    /// <summary>SHA-256 (hex) of the first <paramref name="length"/> head bytes, or null when the file is shorter.</summary>
    public string? HeadHash(int length) => length > Head.Length ? null : Convert.ToHexStringLower(SHA256.HashData(Head.AsSpan(0, length)));

    // access.log.1, access.log.2.gz, access.log-20240101, access.log.2024-01-01.gz
    [GeneratedRegex(@"(\.\d+|-\d{8}|\.\d{4}-\d{2}-\d{2})(\.gz)?$")]
    private static partial Regex RotatedName();

    private static (long?, long?) Stat(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return (null, null);
        }

        try
        {
            // struct stat on Linux x86-64 and arm64 both start with st_dev and st_ino (64-bit each).
            var buffer = new byte[256];
            return NativeStat(path, buffer) == 0
                ? (BitConverter.ToInt64(buffer, 0), BitConverter.ToInt64(buffer, 8))
                : (null, null);
        }
        catch (EntryPointNotFoundException)
        {
            return (null, null); // glibc before 2.33 has no plain stat symbol: identity by fingerprint alone
        }
    }

    // DllImport rather than LibraryImport: the source-generated stub needs unsafe code enabled
    // for the whole assembly, for one call per file.
#pragma warning disable SYSLIB1054, CA5392
    [DllImport("libc", EntryPoint = "stat", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int NativeStat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, byte[] buffer);
#pragma warning restore SYSLIB1054, CA5392
}

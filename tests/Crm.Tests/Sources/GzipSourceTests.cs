using System.IO.Compression;
using System.Text;
using Crm.Pipeline.Sources;

namespace Crm.Tests.Sources;

/// <summary>
/// Compressed inputs are read to their end-of-stream marker and checked (#16): the archives here are
/// written by <see cref="GZipStream"/> (the writer, not the reader under test) and then cut or damaged by hand.
/// </summary>
public sealed class GzipSourceTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("crm-gzip-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static byte[] Text(int lines, int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder();
        for (var i = 0; i < lines; i++)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"{i},order-{random.Next(1_000_000)},{random.NextDouble():F4}\n");
        }

        return Encoding.ASCII.GetBytes(text.ToString());
    }

    private static byte[] Gzip(byte[] data)
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    private string Write(byte[] bytes, string name = "orders.csv.gz")
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static byte[] ReadAll(string path)
    {
        using var stream = SourceFile.OpenRead(path);
        var output = new MemoryStream();
        stream.CopyTo(output);
        return output.ToArray();
    }

    [Fact]
    public void OpenRead_ReadsAWholeArchive()
    {
        var data = Text(5000, 1);

        Assert.Equal(data, ReadAll(Write(Gzip(data))));
    }

    [Fact]
    public void OpenRead_ReadsConcatenatedMembers_AsOneStream()
    {
        var a = Text(3000, 1);
        var b = Text(10, 2);
        var path = Write([.. Gzip(a), .. Gzip([]), .. Gzip(b)]);

        Assert.Equal([.. a, .. b], ReadAll(path));
    }

    [Fact]
    public void OpenRead_IgnoresZeroPaddingAfterTheLastMember()
    {
        var data = Text(100, 3);

        Assert.Equal(data, ReadAll(Write([.. Gzip(data), .. new byte[512]])));
    }

    [Fact]
    public void OpenRead_ReadsOptionalHeaderFields()
    {
        // FEXTRA, FNAME and FCOMMENT spliced into GZipStream's 10-byte header (flags 0x1C); the data and trailer stay as written.
        var data = Text(200, 4);
        var plain = Gzip(data);
        var header = plain[..10];
        header[3] = 0x1C;
        byte[] extra = [4, 0, (byte)'a', (byte)'b', 2, 0];
        var name = Encoding.ASCII.GetBytes("orders.csv\0");
        var comment = Encoding.ASCII.GetBytes("weekly export\0");

        Assert.Equal(data, ReadAll(Write([.. header, .. extra, .. name, .. comment, .. plain[10..]])));
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.1)]
    [InlineData(0.99)]
    public void OpenRead_Throws_WhenTheArchiveIsCutInsideItsData(double fraction)
    {
        var gz = Gzip(Text(20_000, 5));
        var path = Write(gz[..(int)(gz.Length * fraction)]);

        var e = Assert.Throws<InvalidDataException>(() => ReadAll(path));
        Assert.StartsWith("truncated gzip: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    public void OpenRead_Throws_WhenTheTrailerIsMissingOrCut(int cut)
    {
        var gz = Gzip(Text(1000, 6));
        var path = Write(gz[..^cut]);

        var e = Assert.Throws<InvalidDataException>(() => ReadAll(path));
        Assert.StartsWith("truncated gzip: ", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(12)]
    public void OpenRead_Throws_WhenASecondMemberIsCut(int keep)
    {
        var first = Gzip(Text(1000, 7));
        var second = Gzip(Text(1000, 8));
        var path = Write([.. first, .. second[..keep]]);

        var e = Assert.Throws<InvalidDataException>(() => ReadAll(path));
        Assert.StartsWith("truncated gzip: ", e.Message, StringComparison.Ordinal);
        Assert.Contains("member 2", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(8)] // the CRC-32
    [InlineData(3)] // ISIZE
    public void OpenRead_Throws_WhenTheTrailerDoesNotMatchTheData(int fromEnd)
    {
        var gz = Gzip(Text(1000, 9));
        gz[^fromEnd] ^= 0x01;
        var path = Write(gz);

        var e = Assert.Throws<InvalidDataException>(() => ReadAll(path));
        Assert.StartsWith("corrupt gzip: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenRead_Throws_NamingTheFile_WhenTheDeflateDataIsInvalid()
    {
        // The first deflate block header right after the 10-byte gzip header, set to block type 3 (reserved, RFC 1951 3.2.3).
        var gz = Gzip(Text(5000, 10));
        gz[10] |= 0x06;
        var path = Write(gz);

        var e = Assert.Throws<InvalidDataException>(() => ReadAll(path));
        Assert.StartsWith("corrupt gzip: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenRead_Throws_NamingTheFile_WhenBytesInsideAreOverwritten()
    {
        // Damage may make the decoder fail, or lose the end of the data (read as truncated): either way it throws, never a short read.
        var gz = Gzip(Text(5000, 10));
        for (var i = gz.Length / 3; i < gz.Length / 3 + 16; i++)
        {
            gz[i] ^= 0x5A;
        }

        var path = Write(gz);

        var e = Assert.Throws<InvalidDataException>(() => ReadAll(path));
        Assert.Matches("^(corrupt|truncated) gzip: ", e.Message);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenRead_Throws_OnGarbageAfterTheLastMember()
    {
        var path = Write([.. Gzip(Text(10, 11)), .. "not gzip"u8.ToArray()]);

        var e = Assert.Throws<InvalidDataException>(() => ReadAll(path));
        Assert.Contains("not a gzip member", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenRead_ReadsTheVendoredDemoArchives_Whole()
    {
        // Every .gz shipped with the demo decompresses to the size its trailer states (one member each, under 4 GiB).
        var demo = Repo.File("src", "Crm.Worker", "demo", "synthetic", "orders");
        var files = Directory.GetFiles(demo, "*.gz");
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var bytes = File.ReadAllBytes(file);
            Assert.Equal(BitConverter.ToUInt32(bytes, bytes.Length - 4), (uint)ReadAll(file).Length);
        }
    }
}

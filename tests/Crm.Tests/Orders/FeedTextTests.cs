using System.Text;
using Crm.Pipeline.Sources.Orders;

namespace Crm.Tests.Orders;

/// <summary>Encodings, byte order marks and files that are not text (#17).</summary>
public sealed class FeedTextTests
{
    private static string Read(byte[] bytes, string setting, out string encoding)
    {
        using var stream = FeedText.OpenUtf8(new MemoryStream(bytes), setting, out encoding);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        // The output must be strict UTF-8 without a byte order mark.
        return new UTF8Encoding(false, true).GetString(copy.ToArray());
    }

    [Fact]
    public void Windows1252_IsTranscodedToUtf8()
    {
        // "Müller;12,50 €" in Windows-1252: ü = 0xFC, € = 0x80.
        byte[] bytes = [(byte)'M', 0xFC, (byte)'l', (byte)'l', (byte)'e', (byte)'r', (byte)';', (byte)'1', (byte)'2', (byte)',', (byte)'5', (byte)'0', (byte)' ', 0x80, (byte)'\n'];

        Assert.Equal("Müller;12,50 €\n", Read(bytes, "windows-1252", out var encoding));
        Assert.Equal("windows-1252", encoding);
    }

    [Fact]
    public void Iso88591_IsTranscodedToUtf8()
    {
        byte[] bytes = [(byte)'J', (byte)'o', (byte)'s', 0xE9, (byte)'\n'];

        Assert.Equal("José\n", Read(bytes, "iso-8859-1", out _));
    }

    [Fact]
    public void Utf16WithAByteOrderMark_IsFoundWithoutASetting()
    {
        // UTF-16 LE: FF FE, then 'a' 00 '\t' 00 'é' = E9 00.
        byte[] bytes = [0xFF, 0xFE, (byte)'a', 0, (byte)'\t', 0, 0xE9, 0, (byte)'\n', 0];

        Assert.Equal("a\té\n", Read(bytes, "auto", out var encoding));
        Assert.Equal("utf-16LE (BOM)", encoding);
    }

    [Fact]
    public void AUtf8ByteOrderMark_IsDropped()
    {
        byte[] bytes = [0xEF, 0xBB, 0xBF, (byte)'i', (byte)'d', (byte)'\n'];

        Assert.Equal("id\n", Read(bytes, "auto", out var encoding));
        Assert.Equal("utf-8 (BOM)", encoding);
    }

    [Fact]
    public void Gb18030AndShiftJis_AreKnown()
    {
        Assert.Equal("张伟\n", Read(Encoding.GetEncoding("gb18030").GetBytes("张伟\n"), "gb18030", out _));
        Assert.Equal("山田\n", Read(Encoding.GetEncoding("shift_jis").GetBytes("山田\n"), "shift_jis", out _));
    }

    [Fact]
    public void AFileWithNulBytes_IsNotText()
    {
        // The start of a ZIP archive (an .xlsx workbook is one).
        byte[] bytes = [0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00, 0x08, 0x00, 0x00, 0x00, 0x21, 0x00];

        var e = Assert.Throws<InvalidDataException>(() => Read(bytes, "auto", out _));

        Assert.StartsWith("not a text file: a NUL byte at offset 5 in its first 14 bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Utf16WithoutAByteOrderMark_IsNamedWithTheSettingThatReadsIt()
    {
        // "Name,Email\nAnaïs,a@example.com\n" as UTF-16 LE and BE without a BOM, bytes written out by hand
        // for the first characters: 'N' = 4E 00 (LE) or 00 4E (BE).
        const string text = "Name,Email\nAna\u00EFs,a@example.com\n";
        var le = Encoding.Unicode.GetBytes(text);
        var be = Encoding.BigEndianUnicode.GetBytes(text);
        Assert.Equal([0x4E, 0x00, 0x61, 0x00], le[..4]);
        Assert.Equal([0x00, 0x4E, 0x00, 0x61], be[..4]);

        var eLe = Assert.Throws<InvalidDataException>(() => Read(le, "auto", out _));
        var eBe = Assert.Throws<InvalidDataException>(() => Read(be, "auto", out _));

        Assert.Equal("the file looks like utf-16LE text without a byte order mark (every other byte is NUL); set the feed's Encoding to 'utf-16LE' to read it.", eLe.Message);
        Assert.Contains("set the feed's Encoding to 'utf-16BE'", eBe.Message, StringComparison.Ordinal);
        Assert.Equal(text, Read(le, "utf-16LE", out _));
        Assert.Equal(text, Read(be, "utf-16BE", out _));
    }

    [Fact]
    public void RandomBytesWithoutNuls_AreNotText()
    {
        var bytes = new byte[2000];
        new Random(17).NextBytes(bytes);
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = bytes[i] == 0 ? (byte)0x81 : bytes[i];
        }

        var e = Assert.Throws<InvalidDataException>(() => Read(bytes, "auto", out _));

        Assert.StartsWith("not a text file:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnEmptyFile_IsText()
    {
        Assert.Equal("", Read([], "auto", out var encoding));
        Assert.Equal("utf-8", encoding);
    }

    [Fact]
    public void AnUnknownEncodingName_Throws()
    {
        Assert.Throws<ArgumentException>(() => FeedText.Resolve("klingon-1"));
    }
}

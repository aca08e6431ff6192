using System.Text;

namespace Crm.Pipeline.Sources;

/// <summary>One rejected input: where it was, why, and its raw text (cut to a safe size).</summary>
public sealed record QuarantineRow(long? LineNumber, long? ByteOffset, string Reason, string RawText, long RawLength)
{
    /// <summary>Longest raw text kept per row; the full length is kept in <see cref="RawLength"/>.</summary>
    public const int MaxRawChars = 8192;

    private static readonly Encoding Lenient = new UTF8Encoding(false, false);

    /// <summary>
    /// The row to keep for a rejected record that mentions a forgotten person (<see cref="Privacy.Suppression"/>):
    /// the reason kept behind <see cref="Privacy.Suppression.Reason"/>, the raw text gone.
    /// </summary>
    public QuarantineRow Suppressed() => this with { Reason = Privacy.Suppression.Reason + ": " + Reason, RawText = "" };

    /// <summary>Builds a row from raw bytes, decoding leniently and dropping NUL characters PostgreSQL text cannot hold.</summary>
    public static QuarantineRow FromBytes(long? lineNumber, long? byteOffset, string reason, ReadOnlySpan<byte> raw, long rawLength)
    {
        var slice = raw.Length > MaxRawChars ? raw[..MaxRawChars] : raw;
        var text = Lenient.GetString(slice).Replace("\0", "\\0", StringComparison.Ordinal);
        return new QuarantineRow(lineNumber, byteOffset, reason, text, rawLength);
    }
}

namespace Crm.Pipeline.Sources.WebLogs;

/// <summary>A field of a parsed line: a byte range of <see cref="WebHit.Source"/>, or absent.</summary>
internal struct FieldRef
{
    public int Start;
    public int Length; // -1 = absent (also "-" in the log)

    public readonly bool IsPresent => Length >= 0;

    public static FieldRef Absent => new() { Start = 0, Length = -1 };

    public static FieldRef Of(int start, int length) => new() { Start = start, Length = length };
}

/// <summary>
/// One access-log line after parsing, without a string allocated: every text field is a byte
/// range, either of the line itself (CLF-style formats) or of <see cref="Scratch"/> when the
/// parser had to unescape (W3C's '+', JSON escapes). Reused from line to line.
/// </summary>
internal sealed class WebHit
{
    public long TimestampUtcTicks;
    public int Status;
    public long Bytes; // -1 = "-" / absent
    public FieldRef Host;
    public FieldRef User;
    public FieldRef Method;
    public FieldRef Target;   // path and query as requested (e.g. /a/b?x=1)
    public FieldRef Query;    // only when the format logs the query apart (W3C cs-uri-query, %q, $args)
    public FieldRef Protocol;
    public FieldRef Referer;
    public FieldRef UserAgent;
    public FieldRef Cookie;
    public FieldRef VisitorCookie; // a logged cookie value that identifies the visitor

    /// <summary>Unescaped field bytes, when the parser wrote any; null when fields point into the line.</summary>
    public byte[]? Scratch;
    public int ScratchLength;

    public void Reset()
    {
        TimestampUtcTicks = 0;
        Status = 0;
        Bytes = -1;
        Host = User = Method = Target = Query = Protocol = Referer = UserAgent = Cookie = VisitorCookie = FieldRef.Absent;
        ScratchLength = 0;
    }

    /// <summary>The bytes fields point into: the scratch buffer when in use, else the line.</summary>
    public ReadOnlySpan<byte> Source(ReadOnlySpan<byte> line) => Scratch is not null && ScratchLength > 0 ? Scratch.AsSpan(0, ScratchLength) : line;

    public static ReadOnlySpan<byte> Get(ReadOnlySpan<byte> source, FieldRef field) =>
        field.Length < 0 ? default : source.Slice(field.Start, field.Length);

    /// <summary>Appends unescaped bytes to the scratch buffer and returns their range.</summary>
    public FieldRef AppendScratch(ReadOnlySpan<byte> bytes)
    {
        Scratch ??= new byte[4096];
        if (ScratchLength + bytes.Length > Scratch.Length)
        {
            Array.Resize(ref Scratch, Math.Max(Scratch.Length * 2, ScratchLength + bytes.Length));
        }

        bytes.CopyTo(Scratch.AsSpan(ScratchLength));
        var field = FieldRef.Of(ScratchLength, bytes.Length);
        ScratchLength += bytes.Length;
        return field;
    }
}

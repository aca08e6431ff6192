namespace Crm.Synthetic;

/// <summary>Minimal JSON string writing (non-ASCII stays raw UTF-8, as most exporters write it).</summary>
internal static class JsonText
{
    public static void String(ByteBuffer b, string s)
    {
        b.Byte((byte)'"');
        var plain = true;
        foreach (var c in s)
        {
            if (c is '"' or '\\' or < ' ')
            {
                plain = false;
                break;
            }
        }

        if (plain)
        {
            b.Utf8(s);
        }
        else
        {
            foreach (var c in s)
            {
                switch (c)
                {
                    case '"': b.Ascii("\\\""u8); break;
                    case '\\': b.Ascii("\\\\"u8); break;
                    case '\n': b.Ascii("\\n"u8); break;
                    case '\r': b.Ascii("\\r"u8); break;
                    case '\t': b.Ascii("\\t"u8); break;
                    case < ' ':
                        b.Ascii("\\u00"u8);
                        b.Byte((byte)"0123456789abcdef"[c >> 4]);
                        b.Byte((byte)"0123456789abcdef"[c & 15]);
                        break;
                    default: b.Char(c); break;
                }
            }
        }

        b.Byte((byte)'"');
    }

    public static void Property(ByteBuffer b, ReadOnlySpan<byte> name, string? value, bool comma = true)
    {
        if (value is null)
        {
            return;
        }

        if (comma)
        {
            b.Byte((byte)',');
        }

        b.Byte((byte)'"');
        b.Ascii(name);
        b.Ascii("\":"u8);
        String(b, value);
    }
}

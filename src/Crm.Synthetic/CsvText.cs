using System.Text;

namespace Crm.Synthetic;

/// <summary>RFC 4180 quoting for the truth files and the CSV order feed.</summary>
internal static class CsvText
{
    public static bool NeedsQuotes(string s)
    {
        foreach (var c in s)
        {
            if (c is ',' or '"' or '\n' or '\r')
            {
                return true;
            }
        }

        return false;
    }

    public static void Field(ByteBuffer b, string? s)
    {
        if (string.IsNullOrEmpty(s))
        {
            return;
        }

        if (!NeedsQuotes(s))
        {
            b.Utf8(s);
            return;
        }

        b.Byte((byte)'"');
        b.Utf8(s.Replace("\"", "\"\"", StringComparison.Ordinal));
        b.Byte((byte)'"');
    }

    public static void Row(TextWriter w, params string?[] fields)
    {
        for (var i = 0; i < fields.Length; i++)
        {
            if (i > 0)
            {
                w.Write(',');
            }

            var s = fields[i];
            if (string.IsNullOrEmpty(s))
            {
                continue;
            }

            if (NeedsQuotes(s))
            {
                w.Write('"');
                w.Write(s.Replace("\"", "\"\"", StringComparison.Ordinal));
                w.Write('"');
            }
            else
            {
                w.Write(s);
            }
        }

        w.Write('\n');
    }

    public static StreamWriter Create(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16) { NewLine = "\n" };
    }
}

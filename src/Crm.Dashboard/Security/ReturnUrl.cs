using System.Buffers;
using System.Globalization;
using System.Text;

namespace Crm.Dashboard.Security;

/// <summary>
/// Decides whether a <c>returnUrl</c> is a path on this site. Browsers drop tab, CR and LF inside URLs,
/// read a backslash as a slash and treat <c>//host</c> as another origin; proxies and frameworks may
/// percent-decode once more. So the text is checked as given and after each round of decoding. A kept
/// path becomes a <c>Location</c> header, which holds ASCII only, so other characters are percent-encoded.
/// </summary>
public static class ReturnUrl
{
    private const int MaxLength = 2048;

    /// <summary>
    /// <paramref name="url"/> when it is a path on this site (starts with one <c>/</c>, no control or
    /// white-space characters, no backslash, still so after up to two rounds of percent-decoding), with
    /// characters beyond ASCII percent-encoded as UTF-8; otherwise <see langword="null"/>.
    /// </summary>
    public static string? LocalOrNull(string? url)
    {
        if (string.IsNullOrEmpty(url) || url.Length > MaxLength || !IsPlainPath(url, decoded: false))
        {
            return null;
        }

        var candidate = url;
        for (var round = 0; round < 3; round++)
        {
            var decoded = Uri.UnescapeDataString(candidate);
            if (decoded == candidate)
            {
                return AsciiOrNull(url);
            }

            if (!IsPlainPath(decoded, decoded: true))
            {
                return null;
            }

            candidate = decoded;
        }

        return null; // still changing after three rounds of decoding: nothing legitimate looks like that
    }

    /// <summary><paramref name="s"/> with every character beyond ASCII percent-encoded as UTF-8; null when it is not valid UTF-16.</summary>
    private static string? AsciiOrNull(string s)
    {
        if (s.All(char.IsAscii))
        {
            return s;
        }

        var ascii = new StringBuilder(s.Length * 2);
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < s.Length;)
        {
            if (Rune.DecodeFromUtf16(s.AsSpan(i), out var rune, out var used) != OperationStatus.Done)
            {
                return null; // a lone surrogate: no character a browser could have sent
            }

            if (rune.IsAscii)
            {
                ascii.Append((char)rune.Value);
            }
            else
            {
                foreach (var b in utf8[..rune.EncodeToUtf8(utf8)])
                {
                    ascii.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
                }
            }

            i += used;
        }

        return ascii.ToString();
    }

    private static bool IsPlainPath(string s, bool decoded)
    {
        if (s.Length == 0 || s[0] != '/' || (s.Length > 1 && s[1] is '/' or '\\'))
        {
            return false;
        }

        foreach (var c in s)
        {
            // A decoded space is an ordinary query value (?q=ann%20lee); a literal one, or any other
            // white space, control or invisible format character, is not.
            if (c == '\\' || char.IsControl(c) || (char.IsWhiteSpace(c) && !(decoded && c == ' '))
                || char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.Format
                    or System.Globalization.UnicodeCategory.LineSeparator or System.Globalization.UnicodeCategory.ParagraphSeparator)
            {
                return false;
            }
        }

        return true;
    }
}

namespace Crm.Dashboard.Security;

/// <summary>
/// Decides whether a <c>returnUrl</c> is a path on this site. Browsers drop tab, CR and LF inside URLs,
/// read a backslash as a slash and treat <c>//host</c> as another origin; proxies and frameworks may
/// percent-decode once more. So the text is checked as given and after each round of decoding.
/// </summary>
public static class ReturnUrl
{
    private const int MaxLength = 2048;

    /// <summary>
    /// <paramref name="url"/> when it is a path on this site (starts with one <c>/</c>, no control or
    /// white-space characters, no backslash, still so after up to two rounds of percent-decoding);
    /// otherwise <see langword="null"/>.
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
                return url;
            }

            if (!IsPlainPath(decoded, decoded: true))
            {
                return null;
            }

            candidate = decoded;
        }

        return null; // still changing after three rounds of decoding: nothing legitimate looks like that
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

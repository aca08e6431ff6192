using System.Globalization;
using System.Text;
using AnyAscii;

namespace Crm.Pipeline.Cleaning;

/// <summary>
/// Normalises personal names: Unicode NFKC, whitespace and case, honorifics and suffixes removed,
/// "Family, Given" reordered. Match keys strip diacritics and transliterate non-Latin scripts to
/// ASCII with the AnyAscii library (Cyrillic, Greek, CJK, …), so "Jürgen", "Jurgen" and "Юрген"
/// meet in one key space.
/// </summary>
public static class NameNormalizer
{
    private static readonly HashSet<string> Honorifics = new(StringComparer.Ordinal)
    {
        "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sir", "dame", "lady", "lord", "madam", "madame",
        "mme", "mlle", "herr", "frau", "sr", "sra", "srta", "dott", "rev", "fr",
    };

    private static readonly HashSet<string> Suffixes = new(StringComparer.Ordinal)
    {
        "jr", "sr", "ii", "iii", "iv", "phd", "md", "esq", "mba", "jnr", "snr",
    };

    /// <summary>Normalises <paramref name="raw"/>; returns null when nothing name-like remains.</summary>
    public static PersonName? Normalize(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }

        var s = raw.Normalize(NormalizationForm.FormKC).Trim();
        string? familyFirst = null;
        var comma = s.IndexOf(',', StringComparison.Ordinal);
        if (comma > 0 && comma < s.Length - 1)
        {
            // "Smith, John" → John Smith
            familyFirst = s[..comma];
            s = s[(comma + 1)..] + " " + familyFirst;
        }

        var tokens = new List<string>();
        foreach (var t in s.Split([' ', '\t', '\u00a0', '"', '(', ')'], StringSplitOptions.RemoveEmptyEntries))
        {
            var bare = Key(t).Replace(" ", string.Empty, StringComparison.Ordinal);
            if (bare.Length == 0 || (tokens.Count == 0 && Honorifics.Contains(bare)) || Suffixes.Contains(bare))
            {
                continue;
            }

            tokens.Add(t.Trim(',', '.'));
        }

        if (tokens.Count == 0)
        {
            return null;
        }

        var display = string.Join(' ', tokens.Select(Title));
        var family = tokens.Count > 1 ? Key(tokens[^1]) : null;
        var given = Key(tokens.Count > 1 ? string.Join(' ', tokens.Take(tokens.Count - 1)) : tokens[0]);
        return new PersonName(display, Empty(given), Empty(family));
    }

    /// <summary>
    /// The match key of any text: NFKD, diacritics removed, transliterated to ASCII, lower case,
    /// letters and digits only, single spaces. Hyphens and apostrophes join ("O'Neil" → "oneil").
    /// </summary>
    public static string Key(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (System.Text.Ascii.IsValid(text))
        {
            return AsciiKey(text);
        }

        var decomposed = text.Normalize(NormalizationForm.FormKD);
        var sb = new StringBuilder(decomposed.Length);
        foreach (var ch in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(ch) != UnicodeCategory.NonSpacingMark)
            {
                sb.Append(ch);
            }
        }

        return AsciiKey(sb.ToString().Transliterate());
    }

    private static string AsciiKey(string ascii)
    {
        // Fast path: already a key (lower-case letters and digits, single spaces).
        var clean = ascii.Length > 0 && ascii[0] != ' ' && ascii[^1] != ' ';
        for (var i = 0; clean && i < ascii.Length; i++)
        {
            var c = ascii[i];
            clean = char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || (c == ' ' && ascii[i - 1] != ' ');
        }

        if (clean)
        {
            return ascii;
        }

        var sb = new StringBuilder(ascii.Length);
        var space = false;
        foreach (var ch in ascii)
        {
            if (char.IsAsciiLetterOrDigit(ch))
            {
                if (space && sb.Length > 0)
                {
                    sb.Append(' ');
                }

                space = false;
                sb.Append(char.ToLowerInvariant(ch));
            }
            else if (ch is not '\'' and not '-' and not '’' and not '.')
            {
                space = true;
            }
        }

        return sb.ToString();
    }

    // "SMITH" and "smith" become "Smith", "o'neil" "O'Neil"; mixed case as typed ("McDonald") is kept.
    private static string Title(string token)
    {
        if (!token.Equals(token.ToUpperInvariant(), StringComparison.Ordinal) && !token.Equals(token.ToLowerInvariant(), StringComparison.Ordinal))
        {
            return token;
        }

        var chars = token.ToLowerInvariant().ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (i == 0 || chars[i - 1] is '\'' or '-' or '’')
            {
                chars[i] = char.ToUpperInvariant(chars[i]);
            }
        }

        return new string(chars);
    }

    private static string? Empty(string? s) => string.IsNullOrEmpty(s) ? null : s;
}

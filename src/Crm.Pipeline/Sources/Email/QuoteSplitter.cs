using System.Text.RegularExpressions;

namespace Crm.Pipeline.Sources.Email;

/// <summary>
/// Separates a reply's new text from the text it quotes: lines starting with <c>&gt;</c>, and
/// everything after an attribution line ("On … wrote:", "Am … schrieb …:", "Le … a écrit :",
/// "El … escribió:") or a forwarded/original-message separator, in the languages we tag.
/// </summary>
internal static partial class QuoteSplitter
{
    /// <summary>(new text, quoted text or null).</summary>
    public static (string NewText, string? Quoted) Split(string text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return (text, null);
        }

        var lines = text.ReplaceLineEndings("\n").Split('\n');
        var cut = -1;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd();
            if (Separator().IsMatch(line) || Attribution().IsMatch(line)
                || (i + 1 < lines.Length && Attribution().IsMatch(line + " " + lines[i + 1].Trim()) && lines[i + 1].TrimEnd().EndsWith(':')))
            {
                cut = i;
                break;
            }
        }

        var fresh = new List<string>(lines.Length);
        var quoted = new List<string>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (cut >= 0 && i >= cut)
            {
                quoted.Add(lines[i]);
            }
            else if (lines[i].StartsWith('>'))
            {
                quoted.Add(lines[i]);
            }
            else
            {
                fresh.Add(lines[i]);
            }
        }

        var newText = string.Join('\n', fresh).Trim();
        return (newText, quoted.Count == 0 ? null : string.Join('\n', quoted).Trim());
    }

    [GeneratedRegex(@"^\s*(-{2,}\s*(original message|ursprüngliche nachricht|message d'origine|mensaje original|forwarded message|weitergeleitete nachricht|message transféré|mensaje reenviado)\s*-{2,}|_{10,})\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Separator();

    [GeneratedRegex(@"^\s*(on\s.+\swrote|am\s.+\sschrieb.*|le\s.+\sa\s[ée]crit\s?|el\s.+\sescribi[óo])\s*:\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Attribution();
}

using System.Buffers;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;

namespace Crm.Pipeline.Sources.Email;

/// <summary>
/// Keyword and phrase rules that tag a message's intent (complaint, cancellation, refund,
/// praise) in several languages. Built-in rules come from <c>intent_rules.resx.json</c>; a
/// configured file adds to them. Matching is case- and accent-insensitive; a phrase must start a word
/// (so "cancel" also matches "cancelled", but "super" does not match inside "hypersuper").
/// </summary>
internal sealed class IntentRules
{
    private readonly List<(string Intent, string Phrase)> _phrases = [];
    private SearchValues<string>? _any;

    private IntentRules()
    {
    }

    /// <summary>The built-in rules plus, when given, those of <paramref name="extraFile"/>.</summary>
    public static IntentRules Load(string? extraFile)
    {
        var rules = new IntentRules();
        var assembly = typeof(IntentRules).Assembly;
        var name = assembly.GetManifestResourceNames().Single(n => n.EndsWith("intent_rules.resx.json", StringComparison.Ordinal));
        using (var stream = assembly.GetManifestResourceStream(name)!)
        {
            rules.Add(stream);
        }

        if (!string.IsNullOrEmpty(extraFile))
        {
            if (!File.Exists(extraFile))
            {
                throw new FileNotFoundException($"Crm:Email:IntentRulesFile '{extraFile}' does not exist.", extraFile);
            }

            using var stream = File.OpenRead(extraFile);
            rules.Add(stream);
        }

        return rules;
    }

    /// <summary>Every intent the rules know.</summary>
    public IEnumerable<string> Intents => _phrases.Select(p => p.Intent).Distinct();

    /// <summary>The intents whose phrases occur in <paramref name="text"/>, sorted, no repeats.</summary>
    public string[] Match(string text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return [];
        }

        var folded = Fold(text);
        _any ??= SearchValues.Create(_phrases.Select(p => p.Phrase).Distinct().ToArray(), StringComparison.Ordinal);
        SortedSet<string>? found = null;
        var span = folded.AsSpan();
        var offset = 0;

        // One multi-phrase scan (SearchValues) finds candidate positions; only there are the
        // phrases compared one by one, with the word-start check.
        while (offset < span.Length)
        {
            var hit = span[offset..].IndexOfAny(_any);
            if (hit < 0)
            {
                break;
            }

            var at = offset + hit;
            if (at == 0 || !char.IsLetterOrDigit(span[at - 1]))
            {
                foreach (var (intent, phrase) in _phrases)
                {
                    if (span[at..].StartsWith(phrase, StringComparison.Ordinal))
                    {
                        (found ??= new SortedSet<string>(StringComparer.Ordinal)).Add(intent);
                    }
                }
            }

            offset = at + 1;
        }

        return found is null ? [] : [.. found];
    }

    private void Add(Stream json)
    {
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        foreach (var intent in document.RootElement.EnumerateObject())
        {
            if (intent.Name.StartsWith('_') || intent.Value.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            foreach (var language in intent.Value.EnumerateObject())
            {
                foreach (var phrase in language.Value.EnumerateArray())
                {
                    if (phrase.GetString() is { Length: > 0 } p)
                    {
                        _phrases.Add((intent.Name.ToLowerInvariant(), Fold(p)));
                        _any = null;
                    }
                }
            }
        }
    }

    /// <summary>Lower-case, accents removed, whitespace runs collapsed.</summary>
    internal static string Fold(string text)
    {
        var decomposed = text.ToLowerInvariant().Normalize(NormalizationForm.FormD);
        var builder = new StringBuilder(decomposed.Length);
        var space = false;
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }

            if (char.IsWhiteSpace(c))
            {
                if (!space)
                {
                    builder.Append(' ');
                }

                space = true;
                continue;
            }

            space = false;
            if (c == 'ß')
            {
                builder.Append("ss");
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}

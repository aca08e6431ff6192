using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;

namespace Crm.Pipeline.Reports;

/// <summary>
/// The report's labels in one language, from the embedded <c>Labels/labels.LANG.resx.json</c> files.
/// Another language is a translation: add a file with the same keys. A missing key falls back to English.
/// </summary>
internal sealed class ReportLabels
{
    private static readonly ConcurrentDictionary<string, ReportLabels> Cache = new(StringComparer.OrdinalIgnoreCase);
    private readonly IReadOnlyDictionary<string, string> _labels;
    private readonly IReadOnlyDictionary<string, string>? _fallback;

    private ReportLabels(string language, IReadOnlyDictionary<string, string> labels, IReadOnlyDictionary<string, string>? fallback)
    {
        Language = language;
        _labels = labels;
        _fallback = fallback;
        Culture = CultureInfo.GetCultureInfo(language == "zh" ? "zh-CN" : language == "en" ? "en-US" : language);
    }

    public string Language { get; }

    /// <summary>Culture for numbers and dates.</summary>
    public CultureInfo Culture { get; }

    /// <summary>The languages shipped in this build.</summary>
    public static IReadOnlyList<string> Available { get; } = typeof(ReportLabels).Assembly.GetManifestResourceNames()
        .Where(n => n.Contains(".labels.", StringComparison.Ordinal) && n.EndsWith(".resx.json", StringComparison.Ordinal))
        .Select(n => n[(n.IndexOf(".labels.", StringComparison.Ordinal) + 8)..^10])
        .Order(StringComparer.Ordinal).ToList();

    /// <summary>Labels for <paramref name="language"/>; unknown languages throw so a bad setting shows at start.</summary>
    public static ReportLabels For(string? language)
    {
        var lang = string.IsNullOrWhiteSpace(language) ? "en" : language.Trim().ToLowerInvariant();
        return Cache.GetOrAdd(lang, l =>
        {
            if (!Available.Contains(l))
            {
                throw new InvalidOperationException($"No report labels for language '{l}'; available: {string.Join(", ", Available)}.");
            }

            return new ReportLabels(l, Load(l), l == "en" ? null : Load("en"));
        });
    }

    /// <summary>Every key of a language file (for completeness tests).</summary>
    public static IReadOnlyDictionary<string, string> Load(string language)
    {
        var name = typeof(ReportLabels).Assembly.GetManifestResourceNames()
            .Single(n => n.EndsWith($".labels.{language}.resx.json", StringComparison.Ordinal));
        using var stream = typeof(ReportLabels).Assembly.GetManifestResourceStream(name)!;
        return JsonSerializer.Deserialize<Dictionary<string, string>>(stream)
            ?? throw new InvalidOperationException($"Report labels '{name}' are empty.");
    }

    public string this[string key] =>
        _labels.TryGetValue(key, out var v) ? v
        : _fallback is not null && _fallback.TryGetValue(key, out var f) ? f
        : throw new KeyNotFoundException($"Report label '{key}' is missing.");

    /// <summary>
    /// A churn driver (a feature name of the churn model) in words; a feature without a label shows as its
    /// name with spaces, so a new feature never breaks the report.
    /// </summary>
    public string Driver(string feature) =>
        _labels.TryGetValue("driver_" + feature, out var v) ? v
        : _fallback is not null && _fallback.TryGetValue("driver_" + feature, out var f) ? f
        : feature.Replace('_', ' ');

    /// <summary>Whether the language (or its English fallback) has a label for <paramref name="key"/>.</summary>
    public bool Has(string key) => _labels.ContainsKey(key) || (_fallback is not null && _fallback.ContainsKey(key));

    public string Format(string key, params object?[] args) => string.Format(Culture, this[key], args);
}

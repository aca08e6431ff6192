using System.Text.RegularExpressions;
using AngleSharp.Html.Parser;

namespace Crm.IntegrationTests.Reports;

/// <summary>
/// What an email's HTML may use to render in the common mail clients (Outlook's Word engine, Gmail, Apple Mail):
/// tables and inline styles; images only by <c>cid:</c> from the message itself; no scripts, forms, frames,
/// external style sheets or fonts; no CSS layout the clients drop (flex, grid, position, float, transforms,
/// animations, url(…) backgrounds). One <c>&lt;style&gt;</c> in the head is allowed, holding only a media query
/// of the same inline-safe properties (clients that drop it still get the inline layout).
/// </summary>
public static partial class MailHtml
{
    private static readonly HashSet<string> ForbiddenElements = new(StringComparer.OrdinalIgnoreCase)
    {
        "script", "noscript", "iframe", "frame", "frameset", "object", "embed", "applet", "form", "input", "button", "select", "textarea",
        "link", "base", "video", "audio", "source", "canvas", "svg", "math", "template", "dialog",
    };

    private static readonly string[] ForbiddenProperties =
    [
        "position", "float", "flex", "flex-direction", "flex-wrap", "flex-flow", "flex-grow", "flex-shrink", "flex-basis", "justify-content",
        "align-items", "align-content", "align-self", "order", "gap", "row-gap", "column-gap", "grid", "grid-template", "grid-template-columns",
        "grid-template-rows", "grid-template-areas", "grid-area", "grid-column", "grid-row", "grid-gap", "transform", "transition", "animation",
        "filter", "backdrop-filter", "clip-path", "mask", "z-index", "top", "left", "right", "bottom", "inset", "object-fit", "aspect-ratio",
        "columns", "column-count", "var", "content",
    ];

    /// <summary>Every unsupported thing in <paramref name="html"/>, described; empty when there is none.</summary>
    /// <param name="html">The message's HTML part.</param>
    /// <param name="contentIds">The Content-Ids of the message's parts, which <c>cid:</c> images must name.</param>
    public static IReadOnlyList<string> Problems(string html, IReadOnlySet<string> contentIds)
    {
        var problems = new List<string>();
        var doc = new HtmlParser().ParseDocument(html);
        foreach (var e in doc.All)
        {
            if (ForbiddenElements.Contains(e.LocalName))
            {
                problems.Add($"<{e.LocalName}> element");
            }

            if (e.LocalName == "meta" && string.Equals(e.GetAttribute("http-equiv"), "refresh", StringComparison.OrdinalIgnoreCase))
            {
                problems.Add("<meta http-equiv=refresh>");
            }

            if (e.LocalName == "img")
            {
                var src = e.GetAttribute("src") ?? "";
                if (!src.StartsWith("cid:", StringComparison.Ordinal))
                {
                    problems.Add($"<img src=\"{Trim(src)}\"> is not a cid: image");
                }
                else if (!contentIds.Contains(src[4..]))
                {
                    problems.Add($"<img src=\"{src}\"> names no part of the message");
                }

                if (e.GetAttribute("width") is null)
                {
                    problems.Add($"<img src=\"{Trim(src)}\"> has no width attribute (Outlook shows it at its natural size)");
                }
            }

            foreach (var a in e.Attributes)
            {
                if (a.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase))
                {
                    problems.Add($"<{e.LocalName} {a.Name}> event handler");
                }

                if (a.Name is "background" or "srcset" or "poster" || (a.Name == "src" && e.LocalName != "img"))
                {
                    problems.Add($"<{e.LocalName} {a.Name}> loads a resource");
                }

                if (a.Value.TrimStart().StartsWith("javascript:", StringComparison.OrdinalIgnoreCase))
                {
                    problems.Add($"<{e.LocalName} {a.Name}=javascript:>");
                }
            }

            if (e.GetAttribute("style") is { } style)
            {
                problems.AddRange(Declarations(style).Select(p => $"<{e.LocalName} style> {p}"));
            }
        }

        var styles = doc.QuerySelectorAll("style").ToList();
        if (styles.Count > 1)
        {
            problems.Add($"{styles.Count} <style> elements");
        }

        foreach (var s in styles)
        {
            if (s.ParentElement?.LocalName != "head")
            {
                problems.Add("<style> outside the head");
            }

            var css = CssComment().Replace(s.TextContent, "");
            if (css.Contains("@import", StringComparison.OrdinalIgnoreCase) || css.Contains("@font-face", StringComparison.OrdinalIgnoreCase))
            {
                problems.Add("<style> imports a style sheet or a font");
            }

            foreach (var block in Block().Matches(css).Cast<Match>())
            {
                problems.AddRange(Declarations(block.Groups["body"].Value).Select(p => $"<style> {p}"));
            }

            // Only media queries: what is left without them must be blank.
            if (MediaRule().Replace(css, "").Trim().Length > 0)
            {
                problems.Add("<style> holds rules outside a media query");
            }
        }

        return problems;
    }

    private static IEnumerable<string> Declarations(string css)
    {
        foreach (var declaration in css.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = declaration.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            var property = declaration[..colon].Trim().ToLowerInvariant();
            var value = declaration[(colon + 1)..].Trim().ToLowerInvariant();
            if (ForbiddenProperties.Contains(property) || property.StartsWith("--", StringComparison.Ordinal) || property.StartsWith("grid-", StringComparison.Ordinal) || property.StartsWith("flex-", StringComparison.Ordinal))
            {
                yield return $"unsupported property {property}";
            }

            if (property == "display" && DisplayValue().IsMatch(value))
            {
                yield return $"display:{value}";
            }

            if (value.Contains("url(", StringComparison.Ordinal) || value.Contains("var(", StringComparison.Ordinal) || value.Contains("calc(", StringComparison.Ordinal))
            {
                yield return $"{property}:{Trim(value)} (url, var or calc)";
            }
        }
    }

    private static string Trim(string s) => s.Length <= 60 ? s : s[..60] + "…";

    [GeneratedRegex(@"/\*.*?\*/", RegexOptions.Singleline)]
    private static partial Regex CssComment();

    [GeneratedRegex(@"@media[^{]*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}")]
    private static partial Regex MediaRule();

    [GeneratedRegex(@"(?<sel>[^{}]+)\{(?<body>[^{}]*)\}")]
    private static partial Regex Block();

    [GeneratedRegex(@"\b(inline-)?(flex|grid)\b")]
    private static partial Regex DisplayValue();
}

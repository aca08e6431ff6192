using System.Text;
using MimeKit.Text;

namespace Crm.Pipeline.Sources.Email;

/// <summary>
/// HTML body → plain text, on MimeKit's own HTML tokenizer (MimeKit 4 ships no HTML-to-text
/// converter): text kept, entities decoded, script/style dropped, block tags become line
/// breaks, blockquote lines get a "&gt; " prefix so the quote splitter sees them as quoted.
/// </summary>
internal static class HtmlText
{
    private static readonly HashSet<string> Blocks = new(StringComparer.OrdinalIgnoreCase)
    {
        "p", "div", "br", "tr", "li", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "pre", "blockquote", "section", "article", "header", "footer",
    };

    public static string Convert(string html)
    {
        var tokenizer = new HtmlTokenizer(new StringReader(html)) { DecodeCharacterReferences = true };
        var builder = new StringBuilder(html.Length / 2);
        var skip = 0;
        var quoteDepth = 0;
        var lineStart = true;
        while (tokenizer.ReadNextToken(out var token))
        {
            switch (token)
            {
                case HtmlTagToken tag when tag.Name is "script" or "style" or "head" or "title":
                    skip = tag.IsEndTag ? Math.Max(0, skip - 1) : tag.IsEmptyElement ? skip : skip + 1;
                    break;
                case HtmlTagToken tag when Blocks.Contains(tag.Name):
                    if (tag.Name.Equals("blockquote", StringComparison.OrdinalIgnoreCase))
                    {
                        quoteDepth = tag.IsEndTag ? Math.Max(0, quoteDepth - 1) : quoteDepth + 1;
                    }

                    if (!lineStart)
                    {
                        builder.Append('\n');
                        lineStart = true;
                    }

                    break;
                case HtmlDataToken data when skip == 0:
                    foreach (var c in data.Data)
                    {
                        if (c is '\r' or '\n' or '\t' || char.IsWhiteSpace(c))
                        {
                            if (!lineStart && builder.Length > 0 && builder[^1] != ' ')
                            {
                                builder.Append(' ');
                            }

                            continue;
                        }

                        if (lineStart)
                        {
                            builder.Append('>', quoteDepth);
                            if (quoteDepth > 0)
                            {
                                builder.Append(' ');
                            }

                            lineStart = false;
                        }

                        builder.Append(c);
                    }

                    break;
            }
        }

        return builder.ToString().Trim();
    }
}

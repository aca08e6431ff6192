using System.Text;

namespace Crm.Pipeline.Sources.WebLogs;

/// <summary>What a field of a custom log format carries.</summary>
internal enum LogField
{
    Ignore,
    Host,
    Ident,
    User,
    TimeClfBracketed, // Apache %t: "[17/May/2015:10:05:03 +0000]"
    TimeClf,          // nginx $time_local: "17/May/2015:10:05:03 +0000"
    TimeIso,          // nginx $time_iso8601
    TimeEpoch,        // nginx $msec
    Request,          // "GET /path?q HTTP/1.1"
    Method,
    Target,           // path and query ($request_uri)
    Path,             // path only (%U, $uri)
    Query,            // %q ("?a=b" or ""), $args ("a=b")
    Protocol,
    Status,
    Bytes,
    Referer,
    UserAgent,
    Cookie,
    VisitorCookie,    // one cookie's value (nginx $cookie_NAME, Apache %{NAME}C): the visitor id
}

/// <summary>One element of a compiled format: a literal to match, or a field to capture.</summary>
internal readonly record struct FormatElement(LogField Field, byte[] Literal, bool Quoted)
{
    public bool IsLiteral => Literal.Length > 0;
}

/// <summary>
/// A log format compiled from an Apache <c>LogFormat</c> or nginx <c>log_format</c> string into a
/// list of literals and fields that <see cref="ClfLineParser"/> walks byte by byte.
/// </summary>
internal sealed class LogFormat
{
    /// <summary>Apache's combined format (also what nginx's default <c>combined</c> writes).</summary>
    public const string ApacheCombined = "%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-agent}i\"";

    /// <summary>Apache's common log format.</summary>
    public const string ApacheCommon = "%h %l %u %t \"%r\" %>s %b";

    /// <summary>nginx's predefined <c>combined</c> format.</summary>
    public const string NginxCombined = "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent \"$http_referer\" \"$http_user_agent\"";

    private LogFormat(string name, string definition, IReadOnlyList<FormatElement> elements)
    {
        Name = name;
        Definition = definition;
        Elements = elements;
    }

    public string Name { get; }

    public string Definition { get; }

    public IReadOnlyList<FormatElement> Elements { get; }

    /// <summary>Compiles a format string; <c>$</c> variables mean nginx syntax, <c>%</c> directives Apache.</summary>
    /// <exception cref="FormatException">The string has no fields, or a directive is cut off.</exception>
    public static LogFormat Compile(string name, string definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var nginx = definition.Contains('$', StringComparison.Ordinal) && !definition.Contains('%', StringComparison.Ordinal);
        var raw = nginx ? CompileNginx(definition) : CompileApache(definition);

        // Merge adjacent literals, then mark fields enclosed in quotes.
        var merged = new List<(LogField Field, StringBuilder? Literal)>();
        foreach (var (field, literal) in raw)
        {
            if (literal is not null && merged.Count > 0 && merged[^1].Literal is { } previous)
            {
                previous.Append(literal);
            }
            else
            {
                merged.Add((field, literal is null ? null : new StringBuilder(literal)));
            }
        }

        var elements = new List<FormatElement>(merged.Count);
        var fields = 0;
        for (var i = 0; i < merged.Count; i++)
        {
            var (field, literal) = merged[i];
            if (literal is not null)
            {
                elements.Add(new FormatElement(LogField.Ignore, Encoding.UTF8.GetBytes(literal.ToString()), false));
                continue;
            }

            var quoted = i > 0 && merged[i - 1].Literal is { Length: > 0 } before && before[^1] == '"'
                && i + 1 < merged.Count && merged[i + 1].Literal is { Length: > 0 } after && after[0] == '"';
            elements.Add(new FormatElement(field, [], quoted));
            fields++;
        }

        if (fields == 0)
        {
            throw new FormatException($"Log format '{name}' has no fields: '{definition}'.");
        }

        for (var i = 1; i < elements.Count; i++)
        {
            if (!elements[i].IsLiteral && !elements[i - 1].IsLiteral)
            {
                throw new FormatException($"Log format '{name}': two fields with nothing between them cannot be split: '{definition}'.");
            }
        }

        return new LogFormat(name, definition, elements);
    }

    private static List<(LogField, string?)> CompileApache(string s)
    {
        var list = new List<(LogField, string?)>();
        var literal = new StringBuilder();
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '\\' && i + 1 < s.Length)
            {
                // The format as written in httpd.conf: \" is a quote, \t a tab.
                var n = s[++i];
                literal.Append(n switch { 't' => '\t', 'n' => '\n', _ => n });
                continue;
            }

            if (c != '%')
            {
                literal.Append(c);
                continue;
            }

            if (++i >= s.Length)
            {
                throw new FormatException($"Apache log format ends inside a directive: '{s}'.");
            }

            if (s[i] == '%')
            {
                literal.Append('%');
                continue;
            }

            // Modifiers: status lists (%400,501{..}), '<' '>' and '!'.
            while (i < s.Length && (s[i] is '<' or '>' or '!' or ',' || char.IsAsciiDigit(s[i])))
            {
                i++;
            }

            string? argument = null;
            if (i < s.Length && s[i] == '{')
            {
                var close = s.IndexOf('}', i);
                if (close < 0)
                {
                    throw new FormatException($"Apache log format has an unclosed '{{': '{s}'.");
                }

                argument = s[(i + 1)..close];
                i = close + 1;
            }

            if (i >= s.Length)
            {
                throw new FormatException($"Apache log format ends inside a directive: '{s}'.");
            }

            var field = s[i] switch
            {
                'h' or 'a' => LogField.Host,
                'l' => LogField.Ident,
                'u' => LogField.User,
                't' when argument is null => LogField.TimeClfBracketed,
                't' => throw new FormatException($"Apache %{{{argument}}}t time formats are not supported; use %t: '{s}'."),
                'r' => LogField.Request,
                'm' => LogField.Method,
                'U' => LogField.Path,
                'q' => LogField.Query,
                'H' => LogField.Protocol,
                's' => LogField.Status,
                'b' or 'B' or 'O' => LogField.Bytes,
                'i' when string.Equals(argument, "Referer", StringComparison.OrdinalIgnoreCase) => LogField.Referer,
                'i' when string.Equals(argument, "User-Agent", StringComparison.OrdinalIgnoreCase) => LogField.UserAgent,
                'i' when string.Equals(argument, "Cookie", StringComparison.OrdinalIgnoreCase) => LogField.Cookie,
                'C' when argument is not null => LogField.VisitorCookie,
                _ => LogField.Ignore,
            };
            Flush(list, literal);
            list.Add((field, null));
        }

        Flush(list, literal);
        return list;
    }

    private static List<(LogField, string?)> CompileNginx(string s)
    {
        var list = new List<(LogField, string?)>();
        var literal = new StringBuilder();
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c != '$')
            {
                literal.Append(c);
                continue;
            }

            var braces = i + 1 < s.Length && s[i + 1] == '{';
            var start = braces ? i + 2 : i + 1;
            var end = start;
            while (end < s.Length && (char.IsAsciiLetterOrDigit(s[end]) || s[end] == '_'))
            {
                end++;
            }

            if (end == start)
            {
                literal.Append('$');
                continue;
            }

            var name = s[start..end];
            i = braces ? end : end - 1;
            var lower = name.ToLowerInvariant();
            var field = lower.StartsWith("cookie_", StringComparison.Ordinal) ? LogField.VisitorCookie : lower switch
            {
                "remote_addr" or "binary_remote_addr" or "http_x_forwarded_for" or "realip_remote_addr" => LogField.Host,
                "remote_user" => LogField.User,
                "time_local" => LogField.TimeClf,
                "time_iso8601" => LogField.TimeIso,
                "msec" => LogField.TimeEpoch,
                "request" => LogField.Request,
                "request_method" => LogField.Method,
                "request_uri" => LogField.Target,
                "uri" or "document_uri" => LogField.Path,
                "args" or "query_string" => LogField.Query,
                "server_protocol" => LogField.Protocol,
                "status" => LogField.Status,
                "body_bytes_sent" or "bytes_sent" => LogField.Bytes,
                "http_referer" => LogField.Referer,
                "http_user_agent" => LogField.UserAgent,
                "http_cookie" => LogField.Cookie,
                _ => LogField.Ignore,
            };
            Flush(list, literal);
            list.Add((field, null));
        }

        Flush(list, literal);
        return list;
    }

    private static void Flush(List<(LogField, string?)> list, StringBuilder literal)
    {
        if (literal.Length > 0)
        {
            list.Add((LogField.Ignore, literal.ToString()));
            literal.Clear();
        }
    }
}

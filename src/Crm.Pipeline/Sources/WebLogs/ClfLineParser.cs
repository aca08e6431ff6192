namespace Crm.Pipeline.Sources.WebLogs;

/// <summary>
/// The byte-level parser of every CLF-style format (Apache combined/common, nginx, any custom
/// <c>LogFormat</c>/<c>log_format</c>): walks the compiled elements once over the line, finding
/// field ends with vectorised <c>IndexOf</c>, and allocates nothing.
/// </summary>
internal sealed class ClfLineParser : IWebLogLineParser
{
    private readonly FormatElement[] _elements;

    public ClfLineParser(LogFormat format)
    {
        ArgumentNullException.ThrowIfNull(format);
        _elements = [.. format.Elements];
        FormatName = format.Name;
    }

    public string FormatName { get; }

    public string? State
    {
        get => null;
        set { }
    }

    public LineKind Parse(ReadOnlySpan<byte> line, WebHit hit, out string? reason)
    {
        hit.Reset();
        var elements = _elements;
        var pos = 0;
        var sawTime = false;
        var sawRequest = false;
        for (var e = 0; e < elements.Length; e++)
        {
            var element = elements[e];
            if (element.IsLiteral)
            {
                if (!line[pos..].StartsWith(element.Literal))
                {
                    reason = Reasons.Literal(element.Literal, pos);
                    return LineKind.Malformed;
                }

                pos += element.Literal.Length;
                continue;
            }

            var next = e + 1 < elements.Length ? elements[e + 1].Literal : null;
            var last = e + 2 >= elements.Length;
            int start, end;
            if (element.Field == LogField.TimeClfBracketed)
            {
                if (pos >= line.Length || line[pos] != '[')
                {
                    reason = "expected '[' of the timestamp";
                    return LineKind.Malformed;
                }

                var close = line[pos..].IndexOf((byte)']');
                if (close < 0)
                {
                    reason = "unterminated '[' of the timestamp";
                    return LineKind.Malformed;
                }

                start = pos + 1;
                end = pos + close;
                pos = end + 1;
            }
            else if (element.Quoted)
            {
                end = FindClosingQuote(line, pos, next!, last);
                if (end < 0)
                {
                    reason = end == -2 ? "unexpected text after the last field" : Reasons.Unterminated(element.Field);
                    return LineKind.Malformed;
                }

                start = pos;
                pos = end;
            }
            else if (next is null)
            {
                start = pos;
                end = line.Length;
                pos = end;
            }
            else
            {
                var idx = line[pos..].IndexOf(next[0]);
                if (idx < 0)
                {
                    reason = Reasons.Missing(element.Field);
                    return LineKind.Malformed;
                }

                start = pos;
                end = pos + idx;
                pos = end;
            }

            var value = line[start..end];
            switch (element.Field)
            {
                case LogField.Host:
                    if (value.IsEmpty)
                    {
                        reason = "empty client address";
                        return LineKind.Malformed;
                    }

                    hit.Host = FieldRef.Of(start, value.Length);
                    break;
                case LogField.User:
                    hit.User = Dash(start, value);
                    break;
                case LogField.TimeClfBracketed or LogField.TimeClf:
                    if (!LogTime.TryParseClf(value, out hit.TimestampUtcTicks))
                    {
                        reason = "bad timestamp";
                        return LineKind.Malformed;
                    }

                    sawTime = true;
                    break;
                case LogField.TimeIso:
                    if (!LogTime.TryParseIso(value, out hit.TimestampUtcTicks))
                    {
                        reason = "bad timestamp";
                        return LineKind.Malformed;
                    }

                    sawTime = true;
                    break;
                case LogField.TimeEpoch:
                    if (!LogTime.TryParseEpoch(value, out hit.TimestampUtcTicks))
                    {
                        reason = "bad timestamp";
                        return LineKind.Malformed;
                    }

                    sawTime = true;
                    break;
                case LogField.Request:
                    SplitRequest(value, start, hit);
                    sawRequest = true;
                    break;
                case LogField.Method:
                    hit.Method = Dash(start, value);
                    break;
                case LogField.Target or LogField.Path:
                    hit.Target = Dash(start, value);
                    sawRequest = true;
                    break;
                case LogField.Query:
                    if (!value.IsEmpty && value[0] == '?')
                    {
                        start++;
                        value = value[1..];
                    }

                    hit.Query = value.IsEmpty ? FieldRef.Absent : Dash(start, value);
                    break;
                case LogField.Protocol:
                    hit.Protocol = Dash(start, value);
                    break;
                case LogField.Status:
                    if (!TryStatus(value, out hit.Status))
                    {
                        reason = "bad status code";
                        return LineKind.Malformed;
                    }

                    break;
                case LogField.Bytes:
                    if (!TryBytes(value, out hit.Bytes))
                    {
                        reason = "bad byte count";
                        return LineKind.Malformed;
                    }

                    break;
                case LogField.Referer:
                    hit.Referer = Dash(start, value);
                    break;
                case LogField.UserAgent:
                    hit.UserAgent = Dash(start, value);
                    break;
                case LogField.Cookie:
                    hit.Cookie = Dash(start, value);
                    break;
                case LogField.VisitorCookie:
                    hit.VisitorCookie = value.IsEmpty ? FieldRef.Absent : Dash(start, value);
                    break;
                default:
                    break;
            }
        }

        if (pos != line.Length && !line[pos..].Trim(" \t"u8).IsEmpty)
        {
            reason = "unexpected text after the last field";
            return LineKind.Malformed;
        }

        if (!sawTime)
        {
            reason = "the format has no timestamp field";
            return LineKind.Malformed;
        }

        if (!sawRequest)
        {
            reason = "the format has no request field";
            return LineKind.Malformed;
        }

        reason = null;
        return LineKind.Hit;
    }

    /// <summary>
    /// The index of the quote closing a quoted field that starts at <paramref name="from"/>:
    /// backslash escapes are skipped, and the quote must be followed by the format's next
    /// literal (so a stray quote inside a user agent does not end the field early).
    /// </summary>
    private static int FindClosingQuote(ReadOnlySpan<byte> line, int from, byte[] next, bool last)
    {
        var i = from;
        var sawQuote = false;
        while (i < line.Length)
        {
            var idx = line[i..].IndexOfAny((byte)'"', (byte)'\\');
            if (idx < 0)
            {
                break;
            }

            i += idx;
            if (line[i] == '\\')
            {
                i += 2;
                continue;
            }

            var rest = line[i..];
            sawQuote = true;
            if (rest.StartsWith(next) && (!last || rest.Length == next.Length || rest[next.Length..].Trim(" \t"u8).IsEmpty))
            {
                return i;
            }

            i++;
        }

        // A last quoted field whose closing quote is followed by more text: extra fields, not a cut line.
        return last && sawQuote && line[^1] != '"' && line.LastIndexOf((byte)'"') > from ? -2 : -1;
    }

    private static void SplitRequest(ReadOnlySpan<byte> value, int start, WebHit hit)
    {
        if (value.IsEmpty || (value.Length == 1 && value[0] == '-'))
        {
            return;
        }

        var firstSpace = value.IndexOf((byte)' ');
        if (firstSpace < 0)
        {
            // A bare target or junk (e.g. a TLS handshake on the HTTP port): keep it as the target.
            hit.Target = FieldRef.Of(start, value.Length);
            return;
        }

        hit.Method = FieldRef.Of(start, firstSpace);
        var lastSpace = value.LastIndexOf((byte)' ');
        if (lastSpace > firstSpace && value[(lastSpace + 1)..].StartsWith("HTTP/"u8))
        {
            hit.Target = FieldRef.Of(start + firstSpace + 1, lastSpace - firstSpace - 1);
            hit.Protocol = FieldRef.Of(start + lastSpace + 1, value.Length - lastSpace - 1);
        }
        else
        {
            hit.Target = FieldRef.Of(start + firstSpace + 1, value.Length - firstSpace - 1);
        }
    }

    private static FieldRef Dash(int start, ReadOnlySpan<byte> value) =>
        value.Length == 1 && value[0] == '-' ? FieldRef.Absent : FieldRef.Of(start, value.Length);

    internal static bool TryStatus(ReadOnlySpan<byte> s, out int status)
    {
        status = 0;
        if (s.Length != 3)
        {
            return false;
        }

        var a = (uint)(s[0] - '0');
        var b = (uint)(s[1] - '0');
        var c = (uint)(s[2] - '0');
        if (a is < 1 or > 5 || b > 9 || c > 9)
        {
            return false;
        }

        status = (int)(a * 100 + b * 10 + c);
        return true;
    }

    internal static bool TryBytes(ReadOnlySpan<byte> s, out long bytes)
    {
        bytes = -1;
        if (s.Length == 1 && s[0] == '-')
        {
            return true;
        }

        if (s.IsEmpty || s.Length > 18)
        {
            return false;
        }

        long value = 0;
        foreach (var c in s)
        {
            var d = (uint)(c - '0');
            if (d > 9)
            {
                return false;
            }

            value = value * 10 + d;
        }

        bytes = value;
        return true;
    }

    private static class Reasons
    {
        public static string Literal(byte[] literal, int pos) =>
            $"expected '{System.Text.Encoding.UTF8.GetString(literal).Replace("\t", "\\t", StringComparison.Ordinal)}' at byte {pos}";

        public static string Unterminated(LogField field) => $"unterminated quoted {Name(field)}";

        public static string Missing(LogField field) => $"line ends inside the {Name(field)}";

        private static string Name(LogField field) => field switch
        {
            LogField.UserAgent => "user agent",
            LogField.Referer => "referrer",
            LogField.Request => "request",
            LogField.Ignore => "field",
            _ => field.ToString().ToLowerInvariant(),
        };
    }
}

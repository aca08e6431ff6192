using System.Text;

namespace Crm.Pipeline.Sources.WebLogs;

/// <summary>
/// W3C extended log format (IIS): space-separated fields named by the latest <c>#Fields:</c>
/// directive, <c>-</c> for empty, <c>+</c> for spaces in user agents, date and time in UTC.
/// </summary>
internal sealed class W3cLineParser : IWebLogLineParser
{
    private LogField[] _fields = [];
    private int _dateIndex = -1;
    private int _timeIndex = -1;
    private string? _fieldsLine;

    public string FormatName => "w3c";

    public string? State
    {
        get => _fieldsLine;
        set
        {
            if (value is not null)
            {
                SetFields(Encoding.UTF8.GetBytes(value));
            }
        }
    }

    public LineKind Parse(ReadOnlySpan<byte> line, WebHit hit, out string? reason)
    {
        reason = null;
        if (!line.IsEmpty && line[0] == '#')
        {
            if (line.StartsWith("#Fields:"u8))
            {
                SetFields(line);
            }

            return LineKind.Directive;
        }

        if (_fields.Length == 0)
        {
            reason = "data line before any #Fields: directive";
            return LineKind.Malformed;
        }

        hit.Reset();
        Span<Range> parts = stackalloc Range[Math.Min(64, _fields.Length + 1)];
        var count = SplitSpaces(line, parts);
        if (count != _fields.Length)
        {
            reason = $"{count} fields where #Fields: names {_fields.Length}";
            return LineKind.Malformed;
        }

        if (!LogTime.TryParseW3c(_dateIndex >= 0 ? line[parts[_dateIndex]] : default, _timeIndex >= 0 ? line[parts[_timeIndex]] : default, out hit.TimestampUtcTicks))
        {
            reason = "bad timestamp";
            return LineKind.Malformed;
        }

        FieldRef path = FieldRef.Absent;
        for (var i = 0; i < _fields.Length; i++)
        {
            var value = line[parts[i]];
            var dash = value.Length == 1 && value[0] == '-';
            switch (_fields[i])
            {
                case LogField.Host:
                    hit.Host = hit.AppendScratch(value);
                    break;
                case LogField.User when !dash:
                    hit.User = hit.AppendScratch(value);
                    break;
                case LogField.Method when !dash:
                    hit.Method = hit.AppendScratch(value);
                    break;
                case LogField.Path when !dash:
                    path = hit.AppendScratch(value);
                    break;
                case LogField.Query when !dash:
                    hit.Query = hit.AppendScratch(value);
                    break;
                case LogField.Protocol when !dash:
                    hit.Protocol = hit.AppendScratch(value);
                    break;
                case LogField.Status:
                    if (!ClfLineParser.TryStatus(value, out hit.Status))
                    {
                        reason = "bad status code";
                        return LineKind.Malformed;
                    }

                    break;
                case LogField.Bytes:
                    if (!ClfLineParser.TryBytes(value, out hit.Bytes))
                    {
                        reason = "bad byte count";
                        return LineKind.Malformed;
                    }

                    break;
                case LogField.Referer when !dash:
                    hit.Referer = hit.AppendScratch(value);
                    break;
                case LogField.UserAgent when !dash:
                    hit.UserAgent = AppendPlusDecoded(hit, value);
                    break;
                case LogField.Cookie when !dash:
                    hit.Cookie = AppendPlusDecoded(hit, value);
                    break;
                default:
                    break;
            }
        }

        if (!path.IsPresent)
        {
            reason = "no cs-uri-stem";
            return LineKind.Malformed;
        }

        hit.Target = path;
        return LineKind.Hit;
    }

    private static int SplitSpaces(ReadOnlySpan<byte> line, Span<Range> parts)
    {
        var count = 0;
        var start = 0;
        while (count < parts.Length)
        {
            var idx = line[start..].IndexOf((byte)' ');
            if (idx < 0)
            {
                parts[count++] = new Range(start, line.Length);
                return count;
            }

            parts[count++] = new Range(start, start + idx);
            start += idx + 1;
        }

        return count + 1; // more fields than expected
    }

    private static FieldRef AppendPlusDecoded(WebHit hit, ReadOnlySpan<byte> value)
    {
        var field = hit.AppendScratch(value);
        hit.Scratch.AsSpan(field.Start, field.Length).Replace((byte)'+', (byte)' ');
        return field;
    }

    private void SetFields(ReadOnlySpan<byte> directive)
    {
        var text = Encoding.UTF8.GetString(directive);
        var names = text["#Fields:".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var fields = new LogField[names.Length];
        _dateIndex = _timeIndex = -1;
        for (var i = 0; i < names.Length; i++)
        {
            var name = names[i].ToLowerInvariant();
            if (name == "date")
            {
                _dateIndex = i;
            }
            else if (name == "time")
            {
                _timeIndex = i;
            }

            fields[i] = name switch
            {
                "c-ip" => LogField.Host,
                "cs-username" => LogField.User,
                "cs-method" => LogField.Method,
                "cs-uri-stem" => LogField.Path,
                "cs-uri-query" => LogField.Query,
                "cs-version" => LogField.Protocol,
                "sc-status" => LogField.Status,
                "sc-bytes" => LogField.Bytes,
                "cs(referer)" => LogField.Referer,
                "cs(user-agent)" => LogField.UserAgent,
                "cs(cookie)" => LogField.Cookie,
                _ => LogField.Ignore,
            };
        }

        _fields = fields;
        _fieldsLine = text;
    }
}

using System.Text.Json;

namespace Crm.Pipeline.Sources.WebLogs;

/// <summary>
/// JSON lines (one object per line, as nginx <c>escape=json</c> or a log shipper writes them),
/// read with <see cref="Utf8JsonReader"/>; a mapping names the property of each field.
/// </summary>
internal sealed class JsonLineParser : IWebLogLineParser
{
    /// <summary>Property names tried for each field when the source maps none.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> DefaultNames = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase)
    {
        ["time"] = ["time", "timestamp", "@timestamp", "time_iso8601", "time_local", "msec", "ts"],
        ["client_ip"] = ["remote_addr", "client_ip", "clientip", "ip", "c-ip", "host"],
        ["user"] = ["remote_user", "user", "username"],
        ["request"] = ["request"],
        ["method"] = ["method", "request_method", "verb"],
        ["path"] = ["request_uri", "uri", "path", "url"],
        ["query"] = ["args", "query_string", "query"],
        ["status"] = ["status", "status_code", "response"],
        ["bytes"] = ["body_bytes_sent", "bytes", "bytes_sent", "size"],
        ["referrer"] = ["http_referer", "referrer", "referer"],
        ["user_agent"] = ["http_user_agent", "user_agent", "useragent", "agent"],
        ["cookie"] = ["http_cookie", "cookie"],
    };

    private readonly Dictionary<string, LogField> _byProperty = new(StringComparer.Ordinal);
    private readonly byte[] _buffer = new byte[256];

    public JsonLineParser(IReadOnlyDictionary<string, string>? mapping)
    {
        foreach (var (field, names) in DefaultNames)
        {
            var kind = Kind(field);
            if (mapping is not null && mapping.TryGetValue(field, out var mapped))
            {
                _byProperty[mapped] = kind;
                continue;
            }

            foreach (var name in names)
            {
                _byProperty.TryAdd(name, kind);
            }
        }

        if (mapping is not null)
        {
            foreach (var key in mapping.Keys)
            {
                if (!DefaultNames.ContainsKey(key))
                {
                    throw new ArgumentException($"Unknown JSON field '{key}' in the mapping; known fields: {string.Join(", ", DefaultNames.Keys)}.", nameof(mapping));
                }
            }
        }
    }

    public string FormatName => "json";

    public string? State
    {
        get => null;
        set { }
    }

    public LineKind Parse(ReadOnlySpan<byte> line, WebHit hit, out string? reason)
    {
        hit.Reset();
        reason = null;
        var sawTime = false;
        var reader = new Utf8JsonReader(line, new JsonReaderOptions { MaxDepth = 16 });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                reason = "not a JSON object";
                return LineKind.Malformed;
            }

            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == 0)
                {
                    break;
                }

                if (reader.TokenType != JsonTokenType.PropertyName || reader.CurrentDepth != 1)
                {
                    continue;
                }

                var name = reader.GetString()!;
                if (!reader.Read())
                {
                    break;
                }

                if (!_byProperty.TryGetValue(name, out var field) || reader.TokenType is JsonTokenType.Null or JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    reader.Skip();
                    continue;
                }

                FieldRef value;
                if (reader.TokenType == JsonTokenType.String)
                {
                    var target = Ensure(reader.HasValueSequence ? (int)reader.ValueSequence.Length : reader.ValueSpan.Length);
                    var length = reader.CopyString(target);
                    value = hit.AppendScratch(target[..length]);
                }
                else
                {
                    value = hit.AppendScratch(reader.ValueSpan);
                }

                var bytes = hit.Scratch.AsSpan(value.Start, value.Length);
                var dash = bytes.IsEmpty || (bytes.Length == 1 && bytes[0] == '-');
                switch (field)
                {
                    case LogField.TimeIso:
                        if (!(LogTime.TryParseIso(bytes, out hit.TimestampUtcTicks) || LogTime.TryParseClf(bytes, out hit.TimestampUtcTicks)
                            || (reader.TokenType == JsonTokenType.Number && LogTime.TryParseEpoch(bytes, out hit.TimestampUtcTicks))))
                        {
                            reason = "bad timestamp";
                            return LineKind.Malformed;
                        }

                        sawTime = true;
                        break;
                    case LogField.Host:
                        hit.Host = value;
                        break;
                    case LogField.User when !dash:
                        hit.User = value;
                        break;
                    case LogField.Request:
                        var space = bytes.IndexOf((byte)' ');
                        var last = bytes.LastIndexOf((byte)' ');
                        if (space > 0)
                        {
                            hit.Method = FieldRef.Of(value.Start, space);
                            hit.Target = last > space
                                ? FieldRef.Of(value.Start + space + 1, last - space - 1)
                                : FieldRef.Of(value.Start + space + 1, value.Length - space - 1);
                        }
                        else if (!dash)
                        {
                            hit.Target = value;
                        }

                        break;
                    case LogField.Method when !dash:
                        hit.Method = value;
                        break;
                    case LogField.Target when !dash:
                        hit.Target = value;
                        break;
                    case LogField.Query when !dash:
                        hit.Query = value;
                        break;
                    case LogField.Status:
                        if (!ClfLineParser.TryStatus(bytes, out hit.Status))
                        {
                            reason = "bad status code";
                            return LineKind.Malformed;
                        }

                        break;
                    case LogField.Bytes:
                        if (!dash && !ClfLineParser.TryBytes(bytes, out hit.Bytes))
                        {
                            reason = "bad byte count";
                            return LineKind.Malformed;
                        }

                        break;
                    case LogField.Referer when !dash:
                        hit.Referer = value;
                        break;
                    case LogField.UserAgent when !dash:
                        hit.UserAgent = value;
                        break;
                    case LogField.Cookie when !dash:
                        hit.Cookie = value;
                        break;
                    default:
                        break;
                }
            }
        }
        catch (JsonException e)
        {
            reason = "invalid JSON: " + e.Message;
            return LineKind.Malformed;
        }

        if (!sawTime)
        {
            reason = "no time property";
            return LineKind.Malformed;
        }

        if (!hit.Target.IsPresent)
        {
            reason = "no request or path property";
            return LineKind.Malformed;
        }

        if (!hit.Host.IsPresent)
        {
            reason = "no client address property";
            return LineKind.Malformed;
        }

        return LineKind.Hit;
    }

    private Span<byte> Ensure(int length) => length <= _buffer.Length ? _buffer : new byte[length];

    private static LogField Kind(string field) => field switch
    {
        "time" => LogField.TimeIso,
        "client_ip" => LogField.Host,
        "user" => LogField.User,
        "request" => LogField.Request,
        "method" => LogField.Method,
        "path" => LogField.Target,
        "query" => LogField.Query,
        "status" => LogField.Status,
        "bytes" => LogField.Bytes,
        "referrer" => LogField.Referer,
        "user_agent" => LogField.UserAgent,
        "cookie" => LogField.Cookie,
        _ => LogField.Ignore,
    };
}

using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Crm.Pipeline.Sources.Orders;

/// <summary>
/// Turns one feed record (a delimited row or a JSON line) into order lines using the feed's
/// column mapping. Bad values are reported as a reason, never thrown: the caller quarantines.
/// </summary>
public sealed class OrderRowParser
{
    private static readonly string[] Fields =
    [
        "order_id", "order_date", "customer_id", "email", "name", "phone", "address", "postcode", "country",
        "sku", "description", "quantity", "unit_price", "line_total", "currency", "status", "line_number",
    ];

    private readonly OrderFeedOptions _feed;
    private readonly string _format;
    private readonly TimeZoneInfo _zone;
    private readonly NumberFormatInfo _numbers;
    private readonly Dictionary<string, int> _index = new(StringComparer.OrdinalIgnoreCase);
    private readonly char _delimiter;
    private int _expectedColumns = -1;
    private readonly List<string> _fields = [];

    /// <summary>Creates a parser for <paramref name="feed"/> in the given resolved format.</summary>
    /// <exception cref="ArgumentException">The feed's time zone is unknown.</exception>
    public OrderRowParser(OrderFeedOptions feed, string format)
    {
        ArgumentNullException.ThrowIfNull(feed);
        _feed = feed;
        _format = format;
        _zone = TimeZoneInfo.FindSystemTimeZoneById(feed.TimeZone);
        _numbers = (NumberFormatInfo)CultureInfo.InvariantCulture.NumberFormat.Clone();
        _numbers.NumberDecimalSeparator = feed.DecimalSeparator;
        _numbers.NumberGroupSeparator = feed.DecimalSeparator == "," ? "." : ",";
        _delimiter = format == "tsv" ? '\t' : (feed.Delimiter.Length > 0 ? feed.Delimiter[0] : ',');
        if (format != "jsonl")
        {
            foreach (var (field, column) in feed.Columns)
            {
                if (column.StartsWith('#') && int.TryParse(column.AsSpan(1), out var n))
                {
                    _index[field] = n - 1;
                }
            }
        }
    }

    /// <summary>Whether the next record must be a header.</summary>
    public bool NeedsHeader => _format != "jsonl" && _feed.HasHeader && _expectedColumns < 0;

    /// <summary>Reads the header row; returns a reason when a mapped column is missing from it.</summary>
    public string? SetHeader(string record)
    {
        var error = Split(record);
        if (error is not null)
        {
            return "header: " + error;
        }

        _expectedColumns = _fields.Count;
        var names = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < _fields.Count; i++)
        {
            names.TryAdd(_fields[i].Trim().TrimStart('\uFEFF'), i);
        }

        foreach (var (field, column) in _feed.Columns)
        {
            if (column.StartsWith('#'))
            {
                continue;
            }

            if (!names.TryGetValue(column, out var idx))
            {
                return $"header has no column '{column}' (mapped to {field})";
            }

            _index[field] = idx;
        }

        return null;
    }

    /// <summary>
    /// Parses <paramref name="record"/> and appends its lines to <paramref name="output"/>.
    /// Returns null on success, else the reason the record is rejected (nothing is appended then).
    /// </summary>
    public string? Parse(string record, List<OrderLine> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        return _format == "jsonl" ? ParseJson(record, output) : ParseDelimited(record, output);
    }

    private string? ParseDelimited(string record, List<OrderLine> output)
    {
        var error = _format == "whitespace" ? SplitWhitespace(record) : Split(record);
        if (error is not null)
        {
            return error;
        }

        if (_expectedColumns < 0 && !_feed.HasHeader)
        {
            _expectedColumns = _fields.Count;
        }

        if (_fields.Count != _expectedColumns)
        {
            return $"wrong column count: expected {_expectedColumns}, got {_fields.Count}";
        }

        string? Get(string field) =>
            _index.TryGetValue(field, out var i) && i < _fields.Count && _fields[i].Length > 0 ? _fields[i].Trim() : null;

        var line = Build(Get, out var reason);
        if (line is null)
        {
            return reason;
        }

        output.Add(line);
        return null;
    }

    private string? ParseJson(string record, List<OrderLine> output)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(record);
        }
        catch (JsonException e)
        {
            return "bad JSON: " + e.Message;
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return "bad JSON: a line must hold one object";
            }

            var root = document.RootElement;
            string? itemsProperty = null;
            foreach (var column in _feed.Columns.Values)
            {
                var bracket = column.IndexOf("[].", StringComparison.Ordinal);
                if (bracket > 0)
                {
                    itemsProperty = column[..bracket];
                    break;
                }
            }

            if (itemsProperty is null)
            {
                var line = Build(f => JsonValue(root, null, f), out var reason);
                if (line is null)
                {
                    return reason;
                }

                output.Add(line);
                return null;
            }

            if (!root.TryGetProperty(itemsProperty, out var items) || items.ValueKind != JsonValueKind.Array || items.GetArrayLength() == 0)
            {
                return $"order has no line items in '{itemsProperty}'";
            }

            var start = output.Count;
            foreach (var item in items.EnumerateArray())
            {
                var line = Build(f => JsonValue(root, item, f), out var reason);
                if (line is null)
                {
                    output.RemoveRange(start, output.Count - start);
                    return reason;
                }

                output.Add(line);
            }

            return null;
        }
    }

    private string? JsonValue(JsonElement root, JsonElement? item, string field)
    {
        if (!_feed.Columns.TryGetValue(field, out var column))
        {
            return null;
        }

        var element = root;
        var bracket = column.IndexOf("[].", StringComparison.Ordinal);
        if (bracket > 0)
        {
            if (item is null)
            {
                return null;
            }

            element = item.Value;
            column = column[(bracket + 3)..];
        }

        foreach (var part in column.Split('.'))
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(part, out element))
            {
                return null;
            }
        }

        return element.ValueKind switch
        {
            JsonValueKind.String => element.GetString() is { Length: > 0 } s ? s.Trim() : null,
            JsonValueKind.Number => element.GetRawText(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => null,
        };
    }

    private OrderLine? Build(Func<string, string?> get, out string? reason)
    {
        var customerId = get("customer_id");
        var email = get("email");
        var dateText = get("order_date");
        string? orderId;
        if (_feed.OrderIdTemplate is { } template)
        {
            var sb = new StringBuilder(template);
            foreach (var field in Fields)
            {
                var token = "{" + field + "}";
                if (template.Contains(token, StringComparison.Ordinal))
                {
                    var value = get(field);
                    if (value is null)
                    {
                        reason = $"missing {field} (needed for the order id)";
                        return null;
                    }

                    sb.Replace(token, value);
                }
            }

            orderId = sb.ToString();
        }
        else
        {
            orderId = get("order_id");
        }

        if (orderId is null)
        {
            reason = "missing order id";
            return null;
        }

        if (customerId is null && email is null)
        {
            reason = "missing customer id and email";
            return null;
        }

        if (dateText is null)
        {
            reason = "missing order date";
            return null;
        }

        if (!TryParseDate(dateText, out var orderTs))
        {
            reason = $"bad date '{Cut(dateText)}'";
            return null;
        }

        var quantityText = get("quantity");
        decimal quantity = 1;
        if (quantityText is not null && !TryParseDecimal(quantityText, out quantity))
        {
            reason = $"bad quantity '{Cut(quantityText)}'";
            return null;
        }

        decimal? unitPrice = null;
        if (get("unit_price") is { } priceText)
        {
            if (!TryParseDecimal(priceText, out var price))
            {
                reason = $"bad unit price '{Cut(priceText)}'";
                return null;
            }

            unitPrice = price;
        }

        decimal lineTotal;
        if (get("line_total") is { } totalText)
        {
            if (!TryParseDecimal(totalText, out lineTotal))
            {
                reason = $"bad line total '{Cut(totalText)}'";
                return null;
            }
        }
        else if (unitPrice is { } p)
        {
            lineTotal = p * quantity;
        }
        else
        {
            reason = "missing unit price and line total";
            return null;
        }

        var currency = get("currency")?.ToUpperInvariant() ?? _feed.DefaultCurrency;
        if (currency.Length != 3 || !currency.All(char.IsAsciiLetterUpper))
        {
            reason = $"bad currency '{Cut(currency)}'";
            return null;
        }

        reason = null;
        return new OrderLine
        {
            OrderId = orderId,
            OrderTsUtc = orderTs,
            CustomerId = customerId,
            Email = email,
            Name = get("name"),
            Phone = get("phone"),
            Address = get("address"),
            Postcode = get("postcode"),
            Country = get("country"),
            Sku = get("sku"),
            Description = get("description") ?? _feed.DefaultDescription,
            Quantity = quantity,
            UnitPrice = unitPrice,
            LineTotal = lineTotal,
            Currency = currency,
            Status = NormaliseStatus(get("status"), quantity),
            LineRef = get("line_number"),
        };
    }

    private string NormaliseStatus(string? status, decimal quantity)
    {
        if (status is not null && _feed.StatusMap.TryGetValue(status, out var mapped))
        {
            return mapped;
        }

        if (status is not null)
        {
            var s = status.ToLowerInvariant();
            if (s.Contains("cancel", StringComparison.Ordinal) || s.Contains("void", StringComparison.Ordinal))
            {
                return "cancelled";
            }

            if (s.Contains("return", StringComparison.Ordinal) || s.Contains("refund", StringComparison.Ordinal))
            {
                return "returned";
            }
        }

        return quantity < 0 ? "returned" : "ordered";
    }

    private bool TryParseDecimal(string text, out decimal value) =>
        decimal.TryParse(text, NumberStyles.Number | NumberStyles.AllowCurrencySymbol, _numbers, out value);

    private bool TryParseDate(string text, out DateTime utc)
    {
        foreach (var format in _feed.DateFormats)
        {
            if (DateTime.TryParseExact(text, format, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
            {
                utc = ToUtc(local);
                return true;
            }
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed)
            && (text.Contains('T', StringComparison.Ordinal) || text.Contains('-', StringComparison.Ordinal)))
        {
            var hasOffset = text.EndsWith('Z') || text.LastIndexOfAny(['+', '-']) > 9;
            utc = hasOffset ? parsed.UtcDateTime : ToUtc(parsed.DateTime);
            return true;
        }

        utc = default;
        return false;
    }

    private DateTime ToUtc(DateTime local)
    {
        if (local.Kind == DateTimeKind.Utc)
        {
            return local;
        }

        var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        // A wall-clock time that falls in a DST gap does not exist; take it as the instant just after.
        if (_zone.IsInvalidTime(unspecified))
        {
            unspecified = unspecified.AddHours(1);
        }

        return TimeZoneInfo.ConvertTimeToUtc(unspecified, _zone);
    }

    private static string Cut(string s) => s.Length > 64 ? s[..64] + "…" : s;

    private string? Split(string record)
    {
        _fields.Clear();
        var sb = new StringBuilder();
        var i = 0;
        while (true)
        {
            sb.Clear();
            if (i < record.Length && record[i] == '"')
            {
                i++;
                var closed = false;
                while (i < record.Length)
                {
                    var c = record[i];
                    if (c == '"')
                    {
                        if (i + 1 < record.Length && record[i + 1] == '"')
                        {
                            sb.Append('"');
                            i += 2;
                            continue;
                        }

                        closed = true;
                        i++;
                        break;
                    }

                    sb.Append(c);
                    i++;
                }

                if (!closed)
                {
                    return "unterminated quoted field";
                }

                // Tolerate spaces between the closing quote and the delimiter.
                while (i < record.Length && record[i] == ' ')
                {
                    i++;
                }

                if (i < record.Length && record[i] != _delimiter)
                {
                    return $"unexpected text after quoted field at column {_fields.Count + 1}";
                }
            }
            else
            {
                var next = record.IndexOf(_delimiter, i);
                var end = next < 0 ? record.Length : next;
                sb.Append(record, i, end - i);
                i = end;
            }

            _fields.Add(sb.ToString());
            if (i >= record.Length)
            {
                return null;
            }

            i++; // past the delimiter
            if (i == record.Length)
            {
                _fields.Add("");
                return null;
            }
        }
    }

    private string? SplitWhitespace(string record)
    {
        _fields.Clear();
        foreach (var part in record.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
        {
            _fields.Add(part);
        }

        return null;
    }
}

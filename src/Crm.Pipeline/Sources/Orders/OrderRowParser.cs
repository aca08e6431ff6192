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
    internal static readonly string[] Fields =
    [
        "order_id", "order_date", "customer_id", "email", "name", "phone", "address", "postcode", "country",
        "sku", "description", "quantity", "unit_price", "line_total", "currency", "status", "line_number",
    ];

    /// <summary>The order-level fields <see cref="OrderFeedOptions.CarryDown"/> copies to an order's later rows.</summary>
    private static readonly string[] OrderLevelFields =
        ["order_date", "customer_id", "email", "name", "phone", "address", "postcode", "country", "currency", "status"];

    private static readonly DateTime Epoch = new(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private readonly OrderFeedOptions _feed;
    private readonly string _format;
    private readonly TimeZoneInfo _zone;
    private readonly NumberFormatInfo _numbers;
    private readonly NumberStyles _numberStyles;
    private readonly bool _spaceGroups;
    private readonly DateTime? _latestPlausibleUtc;
    private readonly Dictionary<string, int> _index = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<int> _nameIndexes = [];
    private int _timeIndex = -1;
    private readonly char _delimiter;
    private int _expectedColumns = -1;
    private readonly List<string> _fields = [];
    private readonly Dictionary<string, string?> _carried = new(StringComparer.Ordinal);
    private string? _carriedOrderId;

    /// <summary>Creates a parser for <paramref name="feed"/> in the given resolved format.</summary>
    /// <param name="feed">The feed's settings.</param>
    /// <param name="format">The resolved format (<see cref="OrderFeedOptions.FormatFor"/>).</param>
    /// <param name="arrivedUtc">
    /// When the file arrived: order dates later than this plus <see cref="OrderFeedOptions.FutureDateMarginDays"/>
    /// are quarantined as implausible. Null accepts any date from 1970 on.
    /// </param>
    /// <exception cref="ArgumentException">The feed's time zone is unknown.</exception>
    public OrderRowParser(OrderFeedOptions feed, string format, DateTime? arrivedUtc = null)
    {
        ArgumentNullException.ThrowIfNull(feed);
        _feed = feed;
        _format = format;
        _zone = TimeZoneInfo.FindSystemTimeZoneById(feed.TimeZone);
        _numbers = (NumberFormatInfo)CultureInfo.InvariantCulture.NumberFormat.Clone();
        // With AllowCurrencySymbol .NET also accepts the currency separators, so they must match
        // too: the invariant ones ('.' and ',') made "1.249,00" unreadable with a decimal comma.
        _numbers.NumberDecimalSeparator = feed.DecimalSeparator;
        _numbers.CurrencyDecimalSeparator = feed.DecimalSeparator;
        var group = feed.ThousandsSeparator ?? (feed.DecimalSeparator == "," ? "." : ",");
        _numberStyles = NumberStyles.Number | NumberStyles.AllowCurrencySymbol;
        if (group.Length == 0)
        {
            _numberStyles &= ~NumberStyles.AllowThousands;
        }
        else if (group == " ")
        {
            // Spreadsheets write a no-break space (U+00A0) or a narrow one (U+202F); all are removed before parsing.
            _spaceGroups = true;
            _numberStyles &= ~NumberStyles.AllowThousands;
        }
        else
        {
            _numbers.NumberGroupSeparator = group;
            _numbers.CurrencyGroupSeparator = group;
        }

        _latestPlausibleUtc = arrivedUtc?.AddDays(feed.FutureDateMarginDays);
        _delimiter = format == "tsv" ? '\t' : (feed.Delimiter.Length > 0 ? feed.Delimiter[0] : ',');
        if (format != "jsonl")
        {
            foreach (var (field, column) in feed.Columns)
            {
                if (TryPosition(column, out var n))
                {
                    _index[field] = n;
                }
            }

            foreach (var column in feed.NameColumns)
            {
                if (TryPosition(column, out var n))
                {
                    _nameIndexes.Add(n);
                }
            }

            if (feed.TimeColumn is { } timeColumn && TryPosition(timeColumn, out var t))
            {
                _timeIndex = t;
            }
        }
    }

    private static bool TryPosition(string column, out int index)
    {
        index = -1;
        if (column.StartsWith('#') && int.TryParse(column.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0)
        {
            index = n - 1;
            return true;
        }

        return false;
    }

    /// <summary>Whether the next record must be a header.</summary>
    public bool NeedsHeader => _format != "jsonl" && _feed.HasHeader && _expectedColumns < 0;

    /// <summary>Reads the header row; returns a reason when a mapped column is missing from it.</summary>
    public string? SetHeader(string record)
    {
        ArgumentNullException.ThrowIfNull(record);
        // A byte order mark the decoder left in place belongs to no column name.
        var error = _format == "whitespace" ? SplitWhitespace(record.TrimStart('\uFEFF')) : Split(record.TrimStart('\uFEFF'));
        if (error is not null)
        {
            return "header: " + error;
        }

        _expectedColumns = _fields.Count;
        var names = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < _fields.Count; i++)
        {
            names.TryAdd(_fields[i].Trim().Trim('\uFEFF'), i);
        }

        foreach (var (field, column) in _feed.Columns)
        {
            if (TryPosition(column, out _))
            {
                continue;
            }

            if (!names.TryGetValue(column.Trim(), out var idx))
            {
                return $"header has no column '{column}' (mapped to {field}); it has {Preview(names.Keys)}";
            }

            _index[field] = idx;
        }

        foreach (var column in _feed.NameColumns)
        {
            if (TryPosition(column, out _))
            {
                continue;
            }

            if (!names.TryGetValue(column.Trim(), out var idx))
            {
                return $"header has no column '{column}' (listed in NameColumns); it has {Preview(names.Keys)}";
            }

            _nameIndexes.Add(idx);
        }

        if (_feed.TimeColumn is { } timeColumn && !TryPosition(timeColumn, out _))
        {
            if (!names.TryGetValue(timeColumn.Trim(), out var idx))
            {
                return $"header has no column '{timeColumn}' (the TimeColumn); it has {Preview(names.Keys)}";
            }

            _timeIndex = idx;
        }

        return null;
    }

    private static string Preview(IEnumerable<string> names)
    {
        var list = names.Take(12).Select(n => "'" + Cut(n) + "'").ToList();
        return list.Count == 0 ? "no column names" : string.Join(", ", list) + (names.Count() > 12 ? ", …" : "");
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

        string? Get(string field)
        {
            if (field == "name" && _nameIndexes.Count > 0)
            {
                return JoinName(_nameIndexes.Select(i => i < _fields.Count ? _fields[i] : null));
            }

            var value = _index.TryGetValue(field, out var i) && i < _fields.Count && _fields[i].AsSpan().Trim().Length > 0 ? _fields[i].Trim() : null;
            if (field == "order_date" && _timeIndex >= 0 && value is not null && _timeIndex < _fields.Count && _fields[_timeIndex].Trim() is { Length: > 0 } time)
            {
                value = value + " " + time;
            }

            return value;
        }

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
                var line = Build(f => JsonField(root, null, f), out var reason);
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
                var line = Build(f => JsonField(root, item, f), out var reason);
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

    private string? JsonField(JsonElement root, JsonElement? item, string field)
    {
        if (field == "name" && _feed.NameColumns.Count > 0)
        {
            return JoinName(_feed.NameColumns.Select(c => JsonValue(root, item, c)));
        }

        var value = _feed.Columns.TryGetValue(field, out var column) ? JsonValue(root, item, column) : null;
        if (field == "order_date" && value is not null && _feed.TimeColumn is { } timeColumn && JsonValue(root, item, timeColumn) is { } time)
        {
            value = value + " " + time;
        }

        return value;
    }

    private static string? JoinName(IEnumerable<string?> parts)
    {
        var joined = string.Join(' ', parts.Where(p => !string.IsNullOrWhiteSpace(p)).Select(p => p!.Trim()));
        return joined.Length > 0 ? joined : null;
    }

    private static string? JsonValue(JsonElement root, JsonElement? item, string column)
    {

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

    private OrderLine? Build(Func<string, string?> rowValue, out string? reason)
    {
        var get = rowValue;
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

        if (_feed.CarryDown)
        {
            if (orderId == _carriedOrderId)
            {
                get = f => rowValue(f) ?? (_carried.TryGetValue(f, out var carried) ? carried : null);
            }
            else
            {
                // The order's first row: what it holds is carried to the rows after it.
                _carriedOrderId = orderId;
                foreach (var field in OrderLevelFields)
                {
                    _carried[field] = rowValue(field);
                }
            }
        }

        var customerId = get("customer_id");
        var email = get("email");
        var dateText = get("order_date");
        if (customerId is null && email is null && !_feed.AllowGuestOrders)
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

        if (orderTs < Epoch)
        {
            reason = $"implausible order date '{Cut(dateText)}': before 1970";
            return null;
        }

        if (orderTs > _latestPlausibleUtc)
        {
            reason = $"implausible order date '{Cut(dateText)}': {orderTs:yyyy-MM-dd HH:mm}Z is more than FutureDateMarginDays ({_feed.FutureDateMarginDays}) after the file arrived";
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

            if (price < 0)
            {
                reason = $"implausible unit price '{Cut(priceText)}': negative";
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

        var statusText = get("status");
        var status = NormaliseStatus(statusText, quantity, orderId);
        if (quantity < 0 && status == "ordered" && !_feed.NegativeQuantityIsReturn)
        {
            reason = $"implausible quantity '{Cut(quantityText ?? "")}': negative on a line whose status '{Cut(statusText ?? "")}' says it was paid (set NegativeQuantityIsReturn to load such lines as returns)";
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
            Status = status,
            LineRef = get("line_number"),
        };
    }

    private string NormaliseStatus(string? status, decimal quantity, string orderId)
    {
        if (_feed.CancelledOrderIdPrefix is { Length: > 0 } prefix && orderId.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            return "cancelled";
        }

        if (status is not null && _feed.StatusMap.TryGetValue(status, out var mapped))
        {
            mapped = mapped.ToLowerInvariant();
            // A paid line with a negative quantity is a return only when the feed says so.
            return mapped == "ordered" && quantity < 0 && _feed.NegativeQuantityIsReturn ? "returned" : mapped;
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

        if (quantity < 0 && status is not null && !_feed.NegativeQuantityIsReturn && IsPaidKeyword(status))
        {
            return "ordered";
        }

        return quantity < 0 ? "returned" : "ordered";
    }

    private static bool HasCurrencySymbol(string text)
    {
        foreach (var c in text)
        {
            if (c > '\u007F' || c == '$')
            {
                if (char.GetUnicodeCategory(c) == UnicodeCategory.CurrencySymbol)
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static string StripCurrencySymbols(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (char.GetUnicodeCategory(c) != UnicodeCategory.CurrencySymbol)
            {
                sb.Append(c);
            }
        }

        return sb.ToString().Trim();
    }

    private static bool IsPaidKeyword(string status) =>
        status.Contains("paid", StringComparison.OrdinalIgnoreCase) || status.Contains("complete", StringComparison.OrdinalIgnoreCase);

    private bool TryParseDecimal(string text, out decimal value)
    {
        // Shop back offices write amounts as they show them: "$1,249.00", "-$35.00", "24,50 €".
        if (HasCurrencySymbol(text))
        {
            text = StripCurrencySymbols(text);
        }

        if (_spaceGroups)
        {
            text = text.Replace(" ", "", StringComparison.Ordinal).Replace("\u00A0", "", StringComparison.Ordinal).Replace("\u202F", "", StringComparison.Ordinal);
        }

        return decimal.TryParse(text, _numberStyles, _numbers, out value);
    }

    /// <summary>
    /// Parses a date. An offset in the value (<c>-0500</c>, <c>+01:00</c>, <c>Z</c>) always wins: such a
    /// value is an instant, and the feed's time zone applies only to values without one.
    /// </summary>
    private bool TryParseDate(string text, out DateTime utc)
    {
        // AdjustToUniversal turns a value with an offset into UTC (Kind Utc) and leaves one without an
        // offset as it is (Kind Unspecified), whatever the machine's own time zone.
        const DateTimeStyles styles = DateTimeStyles.AdjustToUniversal | DateTimeStyles.AllowWhiteSpaces;
        foreach (var format in _feed.DateFormats)
        {
            if (DateTime.TryParseExact(text, format, CultureInfo.InvariantCulture, styles, out var parsed))
            {
                utc = ToUtc(parsed);
                return true;
            }
        }

        if ((text.Contains('T', StringComparison.Ordinal) || text.Contains('-', StringComparison.Ordinal))
            && DateTime.TryParse(text, CultureInfo.InvariantCulture, styles, out var iso))
        {
            utc = ToUtc(iso);
            return true;
        }

        utc = default;
        return false;
    }

    /// <summary>
    /// A wall-clock time of the feed's zone in UTC. Times at a daylight-saving change resolve by one rule:
    /// a time the clocks skipped (spring forward) is read with the offset in force before the change, so
    /// 02:30 in a skipped hour becomes 03:30 of the new offset; a time that happened twice (fall back) is
    /// read as the first of the two, in daylight time.
    /// </summary>
    private DateTime ToUtc(DateTime parsed)
    {
        if (parsed.Kind == DateTimeKind.Utc)
        {
            return parsed;
        }

        var local = DateTime.SpecifyKind(parsed, DateTimeKind.Unspecified);
        if (_zone.IsInvalidTime(local))
        {
            // Step back to a wall-clock time that existed; its offset is the one before the change.
            var before = local;
            do
            {
                before = before.AddMinutes(-30);
            }
            while (_zone.IsInvalidTime(before) && local - before < TimeSpan.FromHours(48));

            return DateTime.SpecifyKind(local - _zone.GetUtcOffset(before), DateTimeKind.Utc);
        }

        if (_zone.IsAmbiguousTime(local))
        {
            var offsets = _zone.GetAmbiguousTimeOffsets(local);
            var daylight = offsets.Max();
            return DateTime.SpecifyKind(local - daylight, DateTimeKind.Utc);
        }

        return TimeZoneInfo.ConvertTimeToUtc(local, _zone);
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

using System.Globalization;
using System.Text;

namespace Crm.Pipeline.Sources.Orders;

/// <summary>Column mapping, dates, numbers and the preview of <see cref="FeedDetector"/>.</summary>
public static partial class FeedDetector
{
    /// <summary>Date formats tried on a date column, most specific first; ISO 8601 the parser reads anyway.</summary>
    private static readonly string[] DateCandidates =
    [
        "yyyy-MM-dd HH:mm:ss zzz", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd", "yyyyMMdd",
        "dd.MM.yyyy HH:mm:ss", "dd.MM.yyyy HH:mm", "dd.MM.yyyy",
        "d/M/yyyy H:mm:ss", "d/M/yyyy H:mm", "d/M/yyyy", "d/M/yy",
        "M/d/yyyy H:mm:ss", "M/d/yyyy H:mm", "M/d/yyyy h:mm:ss tt", "M/d/yyyy h:mm tt", "M/d/yyyy", "M/d/yy",
        "d-M-yyyy HH:mm:ss", "d-M-yyyy", "MMM d, yyyy h:mm:ss tt", "yyyy/MM/dd HH:mm:ss", "yyyy/MM/dd",
    ];

    /// <summary>Header names per field, normalised (lower case, single spaces), in the languages the issue names.</summary>
    private static readonly (string Field, string[] Names)[] Synonyms =
    [
        ("order_id", ["order id", "order", "order no", "order number", "order nr", "ordernumber", "invoice", "invoiceno", "invoice no", "invoice number",
            "bestellnummer", "bestellung", "auftragsnummer", "numéro de commande", "n° de commande", "commande", "référence commande",
            "número de pedido", "pedido", "nº pedido", "numero ordine", "ordine", "bestelnummer", "ordernummer", "número do pedido", "订单号", "订单编号"]),
        ("order_date", ["order date", "date", "created at", "created", "purchase date", "invoicedate", "invoice date", "sale date", "datetime",
            "bestelldatum", "datum", "date de commande", "fecha", "fecha de pedido", "fecha pedido", "data ordine", "data", "besteldatum", "data do pedido",
            "下单时间", "订单日期", "日期", "时间", "创建时间"]),
        ("customer_id", ["customer id", "customerid", "customer no", "customer number", "client id", "kundennummer", "kunden nr", "kundennr",
            "numéro client", "id client", "id cliente", "número de cliente", "codice cliente", "klantnummer", "código do cliente", "客户编号", "客户号", "客户id"]),
        ("email", ["email", "e mail", "mail", "customer email", "billing email", "email address", "courriel", "adresse e mail", "correo", "correo electrónico",
            "posta elettronica", "e mailadres", "邮箱", "电子邮件", "电子邮箱"]),
        ("name", ["name", "customer name", "full name", "billing name", "customer", "kunde", "kundenname", "nom", "nom du client", "client", "nombre", "cliente",
            "nome", "nome cliente", "naam", "klant", "客户姓名", "姓名", "客户名称", "客户"]),
        ("sku", ["sku", "item sku", "product sku", "stockcode", "stock code", "artikelnummer", "artikel nr", "référence", "referencia", "codice articolo", "artikelcode",
            "código", "商品编号", "货号"]),
        ("description", ["description", "product", "product name", "item", "item name", "lineitem name", "artikelbezeichnung", "artikel", "bezeichnung", "produit",
            "désignation", "producto", "descripción", "prodotto", "descrizione", "omschrijving", "produto", "descrição", "商品名称", "商品", "产品名称"]),
        ("quantity", ["quantity", "qty", "menge", "anzahl", "quantité", "qté", "cantidad", "quantità", "aantal", "quantidade", "数量"]),
        ("unit_price", ["unit price", "unitprice", "price", "item price", "einzelpreis", "preis", "stückpreis", "prix unitaire", "prix", "precio unitario", "precio",
            "prezzo unitario", "prezzo", "stukprijs", "prijs", "preço unitário", "preço", "单价", "价格"]),
        ("line_total", ["total", "line total", "amount", "gross sales", "order total", "gesamtpreis", "gesamt", "betrag", "summe", "montant", "total ttc", "importe",
            "importo", "totale", "bedrag", "totaal", "valor", "valor total", "金额", "总价", "小计", "总金额"]),
        ("currency", ["currency", "währung", "devise", "monnaie", "moneda", "valuta", "moeda", "币种", "货币"]),
        ("status", ["status", "order status", "financial status", "state", "état", "estado", "stato", "状态", "订单状态"]),
        ("phone", ["phone", "telephone", "phone number", "telefon", "téléphone", "teléfono", "telefono", "telefoon", "telefone", "电话", "手机"]),
        ("country", ["country", "land", "pays", "país", "paese", "国家"]),
        ("postcode", ["zip", "zip code", "postcode", "postal code", "plz", "code postal", "código postal", "cap", "cep", "postcode", "邮编"]),
    ];

    private static string Normalise(string header)
    {
        var sb = new StringBuilder(header.Length);
        foreach (var c in header.Trim().TrimStart('\uFEFF').ToLowerInvariant())
        {
            sb.Append(c is '_' or '-' or '.' ? ' ' : c);
        }

        return string.Join(' ', sb.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>The sample feed whose mapped columns all appear in the header (or, without one, fit by position).</summary>
    private static OrderFeedOptions? MatchKnownLayout(List<List<string>> fields, bool hasHeader, string format, FeedProposal proposal)
    {
        OrderFeedOptions? best = null;
        var bestScore = 0;
        var ties = new List<string>();
        var header = hasHeader ? new HashSet<string>(fields[0].Select(f => f.Trim().TrimStart('\uFEFF')), StringComparer.OrdinalIgnoreCase) : [];
        foreach (var layout in KnownLayouts)
        {
            var columns = layout.Columns.Values.Concat(layout.NameColumns).Concat(layout.TimeColumn is { } t ? [t] : []).ToList();
            var positional = columns.All(c => c.StartsWith('#'));
            int score;
            if (hasHeader && layout.HasHeader && !positional && columns.All(header.Contains))
            {
                score = columns.Count;
            }
            else if (!hasHeader && !layout.HasHeader && positional && layout.FormatFor("x.txt") == format
                && FitsByPosition(layout, fields))
            {
                score = columns.Count;
            }
            else
            {
                continue;
            }

            if (score > bestScore)
            {
                best = layout;
                bestScore = score;
                ties.Clear();
            }
            else if (score == bestScore)
            {
                ties.Add(layout.Name);
            }
        }

        if (best is null)
        {
            return null;
        }

        proposal.Recognised.Add(hasHeader
            ? $"layout: {best.Name} (the sample feed deploy/config/feeds/{best.Name}.json): all {bestScore} of its mapped columns are in the header"
            : $"layout: {best.Name} (deploy/config/feeds/{best.Name}.json): no header, and its {bestScore} positional columns fit the values");
        if (ties.Count > 0)
        {
            proposal.Unsure.Add($"the header fits the layouts {string.Join(", ", ties)} as well as {best.Name}; {best.Name} was taken");
        }

        var copy = Clone(best);
        proposal.Recognised.Add(copy.DateFormats.Count > 0
            ? $"dates: the layout's format {string.Join(" or ", copy.DateFormats.Select(f => "'" + f + "'"))}"
            : "dates: ISO 8601, as the layout writes them");
        if (hasHeader)
        {
            var mapped = new HashSet<string>(copy.Columns.Values.Concat(copy.NameColumns).Concat(copy.TimeColumn is { } tc ? [tc] : []), StringComparer.OrdinalIgnoreCase);
            var unused = fields[0].Select(f => f.Trim()).Where(f => f.Length > 0 && !mapped.Contains(f)).ToList();
            if (unused.Count > 0)
            {
                proposal.Recognised.Add($"not loaded (the layout has no field for them): {unused.Count} columns, e.g. {string.Join(", ", unused.Take(6).Select(u => "'" + u + "'"))}");
            }
        }

        return copy;
    }

    private static bool FitsByPosition(OrderFeedOptions layout, List<List<string>> fields)
    {
        var max = layout.Columns.Values.Max(c => int.TryParse(c.AsSpan(1), CultureInfo.InvariantCulture, out var n) ? n : int.MaxValue);
        if (fields.Take(20).Any(r => r.Count < max))
        {
            return false;
        }

        if (layout.Columns.TryGetValue("order_date", out var dateColumn) && int.TryParse(dateColumn.AsSpan(1), CultureInfo.InvariantCulture, out var d))
        {
            return fields.Take(20).All(r => layout.DateFormats.Any(f => DateTime.TryParseExact(r[d - 1], f, CultureInfo.InvariantCulture, DateTimeStyles.None, out _)));
        }

        return true;
    }

    private static OrderFeedOptions Clone(OrderFeedOptions f) => new()
    {
        Name = f.Name,
        Pattern = f.Pattern,
        Format = f.Format,
        Delimiter = f.Delimiter,
        HasHeader = f.HasHeader,
        Columns = new Dictionary<string, string>(f.Columns, StringComparer.OrdinalIgnoreCase),
        OrderIdTemplate = f.OrderIdTemplate,
        DateFormats = [.. f.DateFormats],
        TimeZone = f.TimeZone,
        DecimalSeparator = f.DecimalSeparator,
        ThousandsSeparator = f.ThousandsSeparator,
        Encoding = f.Encoding,
        CarryDown = f.CarryDown,
        NameColumns = [.. f.NameColumns],
        TimeColumn = f.TimeColumn,
        AllowGuestOrders = f.AllowGuestOrders,
        CancelledOrderIdPrefix = f.CancelledOrderIdPrefix,
        NegativeQuantityIsReturn = f.NegativeQuantityIsReturn,
        FutureDateMarginDays = f.FutureDateMarginDays,
        DefaultCurrency = f.DefaultCurrency,
        StatusMap = new Dictionary<string, string>(f.StatusMap, StringComparer.OrdinalIgnoreCase),
        DefaultDescription = f.DefaultDescription,
        MaxRecordBytes = f.MaxRecordBytes,
    };

    /// <summary>No known layout: map by header synonyms, then by what the values look like.</summary>
    private static OrderFeedOptions MapColumns(List<List<string>> fields, bool hasHeader, FeedProposal proposal)
    {
        var feed = new OrderFeedOptions { Name = "" };
        var rows = fields.Skip(hasHeader ? 1 : 0).Take(200).ToList();
        var names = hasHeader ? fields[0].Select(f => f.Trim().TrimStart('\uFEFF')).ToList() : [];
        // With a header only named columns can be mapped; without one, every position.
        var width = hasHeader ? names.Count : fields.Max(r => r.Count);
        string Ref(int i) => hasHeader ? names[i] : "#" + (i + 1).ToString(CultureInfo.InvariantCulture);
        var placed = new Dictionary<int, string>();
        proposal.Recognised.Add("layout: no known platform layout fits; columns mapped by header names and by their values");

        if (hasHeader)
        {
            foreach (var (field, synonyms) in Synonyms)
            {
                for (var i = 0; i < names.Count; i++)
                {
                    if (!placed.ContainsKey(i) && synonyms.Contains(Normalise(names[i])))
                    {
                        feed.Columns[field] = Ref(i);
                        placed[i] = field;
                        proposal.Recognised.Add($"column '{names[i]}' → {field} (its name)");
                        break;
                    }
                }
            }
        }

        // By content, for the fields a load needs.
        string[] Values(int i) => rows.Where(r => i < r.Count).Select(r => r[i].Trim()).Where(v => v.Length > 0).ToArray();
        void ByContent(string field, Func<string[], bool> test, string why)
        {
            if (feed.Columns.ContainsKey(field))
            {
                return;
            }

            for (var i = 0; i < width; i++)
            {
                var values = Values(i);
                if (!placed.ContainsKey(i) && values.Length > 0 && test(values))
                {
                    feed.Columns[field] = Ref(i);
                    placed[i] = field;
                    proposal.Recognised.Add($"column '{Ref(i)}' → {field} ({why}, e.g. '{values[0]}')");
                    return;
                }
            }
        }

        ByContent("email", v => v.Count(x => x.Contains('@', StringComparison.Ordinal) && x.Contains('.', StringComparison.Ordinal)) * 10 >= v.Length * 8, "its values are e-mail addresses");
        ByContent("order_date", v => DateFormatFor(v) is not null, "its values are dates");
        ByContent("customer_id", v => v.Length > 1 && v.Distinct().Count() < v.Length && v.All(x => x.All(char.IsAsciiLetterOrDigit)), "its values are ids that repeat");
        ByContent("line_total", v => v.All(x => LooksLikeMoney(x)), "its values are amounts");
        ByContent("quantity", v => v.All(x => int.TryParse(x, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)), "its values are whole numbers");

        var who = feed.Columns.ContainsKey("customer_id") ? "customer_id" : feed.Columns.ContainsKey("email") ? "email" : null;
        if (!feed.Columns.ContainsKey("order_id") && who is not null && feed.Columns.ContainsKey("order_date"))
        {
            feed.OrderIdTemplate = $"{{{who}}}-{{order_date}}";
            proposal.Unsure.Add($"no order id column: each customer's purchases at one date and time are one order (OrderIdTemplate '{feed.OrderIdTemplate}')");
        }

        if (!feed.Columns.ContainsKey("currency"))
        {
            proposal.Unsure.Add($"no currency column: amounts are read as DefaultCurrency {feed.DefaultCurrency}; set DefaultCurrency if that is wrong");
        }

        if (feed.Columns.TryGetValue("order_date", out var dateRef))
        {
            var i = hasHeader ? names.IndexOf(dateRef) : int.Parse(dateRef.AsSpan(1), CultureInfo.InvariantCulture) - 1;
            var values = Values(i);
            var detected = DateFormatFor(values);
            var format = detected?.Format;
            var note = detected?.Note;
            if (format is { Length: 0 })
            {
                proposal.Recognised.Add($"dates: ISO 8601 in {dateRef} (read without a format)");
            }
            else if (format is not null)
            {
                feed.DateFormats = [format];
                proposal.Recognised.Add($"dates: '{format}' reads all {values.Length} sampled values of {dateRef}");
            }
            else
            {
                proposal.Unsure.Add($"dates: no known format reads every value of {dateRef}; ISO 8601 is tried; set DateFormats");
            }

            if (note is not null)
            {
                proposal.Unsure.Add(note);
            }
        }

        var money = feed.Columns.Where(c => c.Key is "line_total" or "unit_price").Select(c => c.Value).ToList();
        foreach (var column in money)
        {
            var i = hasHeader ? names.IndexOf(column) : int.Parse(column.AsSpan(1), CultureInfo.InvariantCulture) - 1;
            var values = Values(i).Select(StripMoney).ToArray();
            if (values.Any(v => DecimalComma(v)))
            {
                feed.DecimalSeparator = ",";
                feed.ThousandsSeparator = ".";
                proposal.Recognised.Add($"numbers: decimal comma, thousands dot (e.g. '{values.First(DecimalComma)}' in {column})");
                break;
            }
        }

        var rowsPerOrder = feed.Columns.TryGetValue("order_id", out var idRef) && hasHeader ? rows.Select(r => r[names.IndexOf(idRef)]).Distinct().Count() : rows.Count;
        if (rowsPerOrder < rows.Count)
        {
            proposal.Recognised.Add("orders span several rows (an order id repeats): CarryDown fills a later row's empty order fields from the order's first row");
            feed.CarryDown = true;
        }

        foreach (var required in new[] { "order_date", "line_total" })
        {
            if (!feed.Columns.ContainsKey(required) && !(required == "line_total" && feed.Columns.ContainsKey("unit_price")))
            {
                proposal.Unsure.Add($"no column found for {required}; map it in Columns");
            }
        }

        if (!feed.Columns.ContainsKey("customer_id") && !feed.Columns.ContainsKey("email"))
        {
            proposal.Unsure.Add("no customer id or e-mail column found; map one in Columns (or set AllowGuestOrders for anonymous sales)");
        }

        for (var i = 0; i < width; i++)
        {
            if (!placed.ContainsKey(i))
            {
                proposal.Unplaced.Add(Ref(i));
            }
        }

        return feed;
    }

    private static bool LooksLikeMoney(string s)
    {
        var v = StripMoney(s);
        return (v.Contains('.', StringComparison.Ordinal) || v.Contains(',', StringComparison.Ordinal))
            && (decimal.TryParse(v, NumberStyles.Number, CultureInfo.InvariantCulture, out _) || DecimalComma(v));
    }

    /// <summary><c>12,50</c> or <c>1.249,00</c>: a comma before one or two final digits.</summary>
    private static bool DecimalComma(string v)
    {
        var comma = v.LastIndexOf(',');
        if (comma < 1 || v.Length - comma - 1 is < 1 or > 2 || v.IndexOf(',') != comma)
        {
            return false;
        }

        return v[..comma].Replace(".", "", StringComparison.Ordinal).TrimStart('-').All(char.IsAsciiDigit) && v[(comma + 1)..].All(char.IsAsciiDigit);
    }

    /// <summary>The first candidate format that reads every value, and a note when day and month could swap.</summary>
    private static (string Format, string? Note)? DateFormatFor(string[] values)
    {
        if (values.Length == 0)
        {
            return null;
        }

        foreach (var format in DateCandidates)
        {
            if (!values.All(v => DateTime.TryParseExact(v, format, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out _)))
            {
                continue;
            }

            var dayFirst = format.StartsWith('d');
            var monthFirst = format.StartsWith('M') && !format.StartsWith("MMM", StringComparison.Ordinal);
            if (dayFirst || monthFirst)
            {
                var swapped = dayFirst ? "M/d" + format[3..] : "d/M" + format[3..];
                swapped = format.Contains('.', StringComparison.Ordinal) ? swapped.Replace('/', '.') : swapped;
                if (values.All(v => DateTime.TryParseExact(v, swapped, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out _)))
                {
                    return (format, $"dates: every sampled value has day and month ≤ 12, so '{format}' and '{swapped}' both read them; {(dayFirst ? "day" : "month")} first was taken; check a known order's date");
                }
            }

            return (format, null);
        }

        // ISO 8601 (with 'T' or '-', with or without an offset) is read without a format: "" says so.
        return values.All(v => (v.Contains('T', StringComparison.Ordinal) || v.Contains('-', StringComparison.Ordinal))
            && DateTimeOffset.TryParse(v, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out _))
            ? ("", null)
            : null;
    }

    private static void ApplyTimeZone(OrderFeedOptions feed, List<List<string>> fields, bool hasHeader, string? timeZone, FeedProposal proposal)
    {
        var withOffset = feed.DateFormats.Count > 0 && feed.DateFormats.All(f => f.Contains('z', StringComparison.Ordinal) || f.Contains('K', StringComparison.Ordinal));
        if (!withOffset && feed.Columns.TryGetValue("order_date", out var dateRef))
        {
            var names = hasHeader ? fields[0].Select(f => f.Trim().TrimStart('\uFEFF')).ToList() : [];
            var i = hasHeader ? names.FindIndex(n => string.Equals(n, dateRef, StringComparison.OrdinalIgnoreCase))
                : int.TryParse(dateRef.AsSpan(1), CultureInfo.InvariantCulture, out var n) ? n - 1 : -1;
            var sample = fields.Skip(hasHeader ? 1 : 0).Take(20).Where(r => i >= 0 && i < r.Count && r[i].Trim().Length > 0).Select(r => r[i].Trim()).ToList();
            withOffset = sample.Count > 0 && sample.All(v => v.EndsWith('Z') || HasOffset(v));
        }

        var utcColumn = hasHeader && feed.Columns.TryGetValue("order_date", out var dateColumn) && dateColumn.Contains("UTC", StringComparison.OrdinalIgnoreCase);
        if (timeZone is not null)
        {
            feed.TimeZone = timeZone;
            proposal.Recognised.Add(withOffset
                ? $"time zone: the dates carry their offset, which wins; {timeZone} would apply only to values without one"
                : $"time zone: {timeZone} (from --time-zone) for the dates, which carry no offset");
        }
        else if (utcColumn && !withOffset)
        {
            feed.TimeZone = "UTC";
            proposal.Recognised.Add($"time zone: UTC, as the date column's name says ('{feed.Columns["order_date"]}')");
        }
        else if (withOffset)
        {
            feed.TimeZone = "UTC";
            proposal.Recognised.Add("time zone: the dates carry their offset (e.g. -0500), which wins over any zone");
        }
        else
        {
            feed.TimeZone = "UTC";
            proposal.Unsure.Add("time zone: the dates carry no offset and read as UTC; pass --time-zone ZONE (the shop's IANA zone, e.g. Europe/Berlin) if they are local times");
        }
    }

    private static bool HasOffset(string v)
    {
        // "… -0500", "…T18:54:21+00:00", "…Z": an offset at the end of a date and time.
        var t = v.Trim();
        if (t.EndsWith('Z') && t.Contains('T', StringComparison.Ordinal))
        {
            return true;
        }

        var digits = t.Replace(":", "", StringComparison.Ordinal);
        return digits.Length > 6 && digits[^5] is '+' or '-' && digits[^4..].All(char.IsAsciiDigit)
            && (digits[^6] == ' ' || (char.IsAsciiDigit(digits[^6]) && t.Contains('T', StringComparison.Ordinal)));
    }

    /// <summary>Parses the sampled records as the proposed feed would and keeps what the preview shows.</summary>
    private static void Preview(FeedProposal proposal, List<string> records, bool hasHeader)
    {
        var feed = proposal.Feed;
        OrderRowParser parser;
        try
        {
            parser = new OrderRowParser(feed, feed.FormatFor("x"), arrivedUtc: null);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException)
        {
            proposal.Unsure.Add($"time zone '{feed.TimeZone}' is not known; pass an IANA zone such as Europe/Berlin");
            return;
        }

        var start = 0;
        if (hasHeader && parser.NeedsHeader)
        {
            if (parser.SetHeader(records[0]) is { } headerError)
            {
                proposal.Unsure.Add("the proposed mapping does not fit the header: " + headerError);
                return;
            }

            start = 1;
        }

        var lines = new List<OrderLine>();
        for (var i = start; i < records.Count; i++)
        {
            proposal.SampledRows++;
            if (parser.Parse(records[i], lines) is { } reason)
            {
                proposal.Quarantined.TryGetValue(reason, out var count);
                proposal.Quarantined[reason] = count + 1;
            }
        }

        foreach (var order in lines.GroupBy(l => l.OrderId).Take(5))
        {
            var first = order.First();
            proposal.FirstOrders.Add(string.Create(CultureInfo.InvariantCulture,
                $"{order.Key}  {first.OrderTsUtc:yyyy-MM-dd HH:mm:ss}Z  customer {first.CustomerId ?? first.Email ?? "(guest)"}  {order.Count()} line(s)  {order.Sum(l => l.LineTotal):0.00} {first.Currency}  {first.Status}"));
        }
    }
}

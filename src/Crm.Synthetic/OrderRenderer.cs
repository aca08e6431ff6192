using System.Globalization;

namespace Crm.Synthetic;

/// <summary>What the web renderer needs to know about an order for its checkout session.</summary>
internal sealed class OrderInfo
{
    public string OrderId { get; set; } = "";
    public string CustomerId { get; set; } = "";
    public List<int> Products { get; } = new(8);
}

/// <summary>
/// Phase 2 for orders: weekly files <c>orders/orders-YYYYMMDD.csv[.gz]</c> (one row per line item)
/// and <c>orders/orders-YYYYMMDD.jsonl[.gz]</c> (one order per line with an <c>items</c> array),
/// with cancellations, returns (negative-quantity refund lines) and injected bad records.
/// </summary>
internal sealed class OrderRenderer : IDisposable
{
    internal const ulong StreamFile = 11;
    internal const ulong StreamFault = 12;
    private const int MaxEnormous = 2;

    public static readonly string[] CsvColumns =
    [
        "order_id", "order_date", "customer_id", "email", "name", "phone", "address", "postcode", "country",
        "line_number", "sku", "description", "quantity", "unit_price", "currency", "status",
    ];

    private static readonly string[] FaultKinds = ["truncated", "bad_encoding", "missing_date", "bad_number", "enormous_field"];

    private readonly GeneratorOptions _o;
    private readonly string _root;
    private readonly TruthWriter _truth;
    private readonly ByteBuffer _line = new(1 << 12);
    private readonly ByteBuffer _json = new(1 << 12);
    private readonly List<(int Product, int Qty, long Cents)> _items = new(8);
    private OutputFile? _csv;
    private OutputFile? _jsonl;
    private long _sequence;
    private int _enormous;

    public OrderRenderer(GeneratorOptions options, string root, TruthWriter truth)
    {
        _o = options;
        _root = root;
        _truth = truth;
    }

    public long Orders { get; private set; }

    public long CsvRows { get; private set; }

    public long JsonLines { get; private set; }

    public long Bytes { get; private set; }

    /// <summary>Files written, relative to the output root.</summary>
    public List<string> Files { get; } = [];

    public void StartWeek(int week, DateOnly weekStart)
    {
        CloseWeek();
        var name = "orders/orders-" + weekStart.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var rng = Prng.For(_o.Seed, StreamFile, (ulong)week);
        _csv = new OutputFile(_root, name + ".csv", rng.Chance(_o.GzipShare));
        _jsonl = new OutputFile(_root, name + ".jsonl", rng.Chance(_o.GzipShare));
        _line.Clear();
        for (var i = 0; i < CsvColumns.Length; i++)
        {
            if (i > 0)
            {
                _line.Byte((byte)',');
            }

            _line.Utf8(CsvColumns[i]);
        }

        _csv.WriteLine(_line.Written);
    }

    public void CloseWeek()
    {
        foreach (var f in new[] { _csv, _jsonl })
        {
            if (f is not null)
            {
                Bytes += f.Bytes;
                Files.Add(f.RelativePath);
                f.Dispose();
            }
        }

        _csv = null;
        _jsonl = null;
    }

    public void Render(in SpoolEvent e, Person person, Identity id, OrderInfo info)
    {
        var rng = Prng.For(e.Seed, 0x0D, 0);
        var orderId = "SO" + (++_sequence).ToString("D8", CultureInfo.InvariantCulture);
        Orders++;
        info.OrderId = orderId;
        info.CustomerId = id.CustomerId;
        info.Products.Clear();

        // Gamma-gamma: ν is the person's, fixed in phase 1; rebuild it from the same stream.
        var life = Prng.For(_o.Seed, Lifecycle.StreamLife, (ulong)person.Index);
        life.NextDouble();
        life.Gamma(_o.PurchaseShape, _o.PurchaseScale);
        life.Beta(_o.DropoutA, _o.DropoutB);
        var nu = life.Gamma(_o.SpendQ, _o.SpendGamma);
        var value = rng.Gamma(_o.SpendP, nu) * (double)person.Culture.FxPerUnit;
        if ((e.Flags & SpoolEvent.FlagWaning) != 0)
        {
            // A waning customer still buys, but less: the basket is 60 % of their usual.
            value *= 0.6;
        }

        var decimals = person.Culture.Currency == "JPY" ? 0 : 2;
        var scale = decimals == 0 ? 1 : 100;
        var count = Math.Min(5, 1 + rng.Poisson(0.6));
        Span<double> weights = stackalloc double[count];
        var total = 0.0;
        for (var i = 0; i < count; i++)
        {
            weights[i] = rng.Gamma(1, 1);
            total += weights[i];
        }

        _items.Clear();
        for (var i = 0; i < count; i++)
        {
            // The line's share of the order value buys the best-fitting of a few random products;
            // the unit price then sits near the list price (discounts and surcharges vary it).
            var part = value * weights[i] / total;
            var product = rng.Next(Catalog.Products.Length);
            var best = double.MaxValue;
            for (var c = 0; c < 6; c++)
            {
                var candidate = rng.Next(Catalog.Products.Length);
                var price = (double)(Catalog.Products[candidate].Price * person.Culture.FxPerUnit);
                var distance = Math.Abs(Math.Log(part / price));
                if (distance < best)
                {
                    best = distance;
                    product = candidate;
                }
            }

            var list = (double)(Catalog.Products[product].Price * person.Culture.FxPerUnit);
            var qty = (int)Math.Clamp(Math.Round(part / list), 1, 5);
            var unit = Math.Max(1, (long)Math.Round(part / qty * scale));
            _items.Add((product, qty, unit));
            info.Products.Add(product);
        }

        var statusRoll = rng.NextDouble();
        var cancelled = statusRoll < _o.CancelRate;
        var returnRate = (e.Flags & SpoolEvent.FlagWaning) != 0 ? Math.Min(1 - _o.CancelRate, 3 * _o.ReturnRate) : _o.ReturnRate;
        var returned = !cancelled && ((e.Flags & SpoolEvent.FlagBadExperience) != 0 || statusRoll < _o.CancelRate + returnRate);
        var returnedLine = returned ? rng.Next(_items.Count) : -1;

        var fault = rng.Chance(_o.OrderFaultRate) ? FaultKinds[rng.Next(FaultKinds.Length)] : null;
        if (fault == "enormous_field" && _enormous >= MaxEnormous)
        {
            fault = "truncated";
        }

        var rows = _items.Count + (returned ? 1 : 0);
        var faultRow = fault is null ? -1 : rng.Next(rows);
        var local = new DateTime(e.Ticks, DateTimeKind.Utc);
        var offset = LocalTime.OffsetMinutes(person.Culture.UtcOffsetMinutes, person.Culture.DstRule, local);
        local = local.AddMinutes(offset);
        var phone = rng.Chance(0.08) ? null : id.Phone;
        var address = rng.Chance(0.03) ? null : id.Street + ", " + id.City;
        var country = rng.Chance(0.2) ? person.Culture.CountryName : person.Culture.Country;
        var enormous = fault == "enormous_field" ? Enormous(ref rng) : null;
        if (enormous is not null)
        {
            _enormous++;
        }

        if (id.Feed == "jsonl")
        {
            RenderJson(orderId, local, offset, id, phone, address, country, person.Culture.Currency, decimals, cancelled, returnedLine, fault, faultRow, enormous);
        }
        else
        {
            RenderCsv(orderId, local, offset, id, phone, address, country, person.Culture.Currency, decimals, cancelled, returnedLine, fault, faultRow, enormous);
        }
    }

    private void RenderCsv(string orderId, DateTime local, int offset, Identity id, string? phone, string? address, string country,
        string currency, int decimals, bool cancelled, int returnedLine, string? fault, int faultRow, string? enormous)
    {
        var file = _csv!;
        var rows = _items.Count + (returnedLine >= 0 ? 1 : 0);
        for (var r = 0; r < rows; r++)
        {
            var isReturn = r == _items.Count;
            var (product, qty, cents) = isReturn ? _items[returnedLine] : _items[r];
            var p = Catalog.Products[product];
            var rowFault = r == faultRow ? fault : null;
            var b = _line;
            b.Clear();
            CsvText.Field(b, orderId);
            b.Byte((byte)',');
            if (rowFault != "missing_date")
            {
                b.Iso(local, offset);
            }

            b.Byte((byte)',');
            CsvText.Field(b, id.CustomerId);
            b.Byte((byte)',');
            CsvText.Field(b, id.Email);
            b.Byte((byte)',');
            if (rowFault == "truncated")
            {
                // A row cut off by a broken export: seven fields of sixteen.
                CsvText.Field(b, id.Name);
                b.Byte((byte)',');
                CsvText.Field(b, phone);
                b.Byte((byte)',');
                b.Ascii("\"Hauptstr"u8);
                b.Byte((byte)'"');
                Emit(file, b, rowFault, orderId);
                continue;
            }

            if (rowFault == "bad_encoding")
            {
                b.Latin1(id.Name);
            }
            else
            {
                CsvText.Field(b, id.Name);
            }

            b.Byte((byte)',');
            CsvText.Field(b, phone);
            b.Byte((byte)',');
            CsvText.Field(b, address);
            b.Byte((byte)',');
            CsvText.Field(b, id.Postcode);
            b.Byte((byte)',');
            CsvText.Field(b, country);
            b.Byte((byte)',');
            b.Int(r + 1);
            b.Byte((byte)',');
            b.Utf8(p.Sku);
            b.Byte((byte)',');
            if (rowFault == "bad_encoding")
            {
                b.Latin1(p.Description + " (Größe M)");
            }
            else
            {
                CsvText.Field(b, enormous is not null && rowFault == "enormous_field" ? enormous : p.Description);
            }

            b.Byte((byte)',');
            if (rowFault == "bad_number")
            {
                b.Ascii("two"u8);
            }
            else
            {
                b.Int(isReturn ? -qty : qty);
            }

            b.Byte((byte)',');
            b.Fixed(cents, decimals);
            b.Byte((byte)',');
            b.Utf8(currency);
            b.Byte((byte)',');
            b.Ascii(isReturn ? "refunded"u8 : cancelled ? "cancelled"u8 : "paid"u8);
            Emit(file, b, rowFault, orderId);
        }
    }

    private void Emit(OutputFile file, ByteBuffer b, string? fault, string orderId)
    {
        file.WriteLine(b.Written);
        if (file == _csv)
        {
            CsvRows++;
        }
        else
        {
            JsonLines++;
        }

        if (fault is not null)
        {
            _truth.Fault(fault, file.RelativePath, file.Lines, "order " + orderId);
        }
    }

    private void RenderJson(string orderId, DateTime local, int offset, Identity id, string? phone, string? address, string country,
        string currency, int decimals, bool cancelled, int returnedLine, string? fault, int faultRow, string? enormous)
    {
        var b = _json;
        b.Clear();
        b.Ascii("{\"id\":"u8);
        JsonText.String(b, orderId);
        if (fault != "missing_date")
        {
            b.Ascii(",\"created_at\":\""u8);
            b.Iso(local, offset);
            b.Byte((byte)'"');
        }

        b.Ascii(",\"currency\":\""u8);
        b.Utf8(currency);
        b.Ascii("\",\"customer\":{\"id\":"u8);
        JsonText.String(b, id.CustomerId);
        JsonText.Property(b, "email"u8, id.Email);
        if (fault == "bad_encoding")
        {
            b.Ascii(",\"name\":\""u8);
            b.Latin1(id.Name + " (Müller)");
            b.Byte((byte)'"');
        }
        else
        {
            JsonText.Property(b, "name"u8, id.Name);
        }

        JsonText.Property(b, "phone"u8, phone);
        b.Ascii(",\"address\":{\"street\":"u8);
        JsonText.String(b, address is null ? "" : id.Street);
        JsonText.Property(b, "city"u8, id.City);
        JsonText.Property(b, "postcode"u8, id.Postcode);
        JsonText.Property(b, "country"u8, country);
        b.Ascii("}},\"items\":["u8);
        var rows = _items.Count + (returnedLine >= 0 ? 1 : 0);
        for (var r = 0; r < rows; r++)
        {
            var isReturn = r == _items.Count;
            var (product, qty, cents) = isReturn ? _items[returnedLine] : _items[r];
            var p = Catalog.Products[product];
            if (r > 0)
            {
                b.Byte((byte)',');
            }

            b.Ascii("{\"line\":"u8);
            b.Int(r + 1);
            b.Ascii(",\"sku\":\""u8);
            b.Utf8(p.Sku);
            b.Ascii("\",\"title\":"u8);
            JsonText.String(b, r == faultRow && enormous is not null ? enormous : p.Description);
            b.Ascii(",\"qty\":"u8);
            b.Int(isReturn ? -qty : qty);
            b.Ascii(",\"price\":"u8);
            if (r == faultRow && fault == "bad_number")
            {
                b.Ascii("\"N/A\""u8);
            }
            else
            {
                b.Fixed(cents, decimals);
            }

            b.Ascii(",\"status\":\""u8);
            b.Ascii(isReturn ? "returned"u8 : cancelled ? "void"u8 : "complete"u8);
            b.Ascii("\"}"u8);
        }

        b.Ascii("]}"u8);
        if (fault == "truncated")
        {
            b.Truncate(b.Length * 3 / 5);
        }

        Emit(_jsonl!, b, fault, orderId);
    }

    private static string Enormous(ref Prng rng)
    {
        // Bigger than the synthetic feeds' MaxRecordBytes (64 KiB): a pasted log, a runaway template.
        var length = 80_000 + rng.Next(40_000);
        return string.Create(length, 0, static (span, _) =>
        {
            const string text = "Gift message: Happy birthday! ";
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = text[i % text.Length];
            }
        });
    }

    public void Dispose() => CloseWeek();
}

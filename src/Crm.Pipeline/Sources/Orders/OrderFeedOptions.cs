namespace Crm.Pipeline.Sources.Orders;

/// <summary>
/// One order feed: where its files arrive and how their columns map to order fields, so an
/// existing export loads without editing it. Bound from <c>Crm:Orders:Feeds</c>.
/// </summary>
public sealed class OrderFeedOptions
{
    /// <summary>The feed's name, unique; it prefixes order and customer ids in the warehouse.</summary>
    public string Name { get; set; } = "";

    /// <summary>The drop folder the scheduled job scans (optional for one-off loads).</summary>
    public string? Folder { get; set; }

    /// <summary>File name pattern in the folder, e.g. <c>*.csv*</c>.</summary>
    public string Pattern { get; set; } = "*";

    /// <summary><c>csv</c>, <c>tsv</c>, <c>whitespace</c>, <c>jsonl</c>, or <c>auto</c> (by file extension).</summary>
    public string Format { get; set; } = "auto";

    /// <summary>Field delimiter for <c>csv</c> (default comma).</summary>
    public string Delimiter { get; set; } = ",";

    /// <summary>Whether delimited files start with a header row.</summary>
    public bool HasHeader { get; set; } = true;

    /// <summary>
    /// Field → source column. A column is a header name, or <c>#N</c> for the N-th column (1-based)
    /// in files without a header, or a JSON property name (<c>items[].sku</c> for a line item's property).
    /// Fields: order_id, order_date, customer_id, email, name, phone, address, postcode, country,
    /// sku, description, quantity, unit_price, line_total, currency, status, line_number.
    /// </summary>
    public Dictionary<string, string> Columns { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Builds the order id from other fields' raw values when the export has none, e.g.
    /// <c>{customer_id}-{order_date}</c> for a log of one transaction per customer and day.
    /// </summary>
    public string? OrderIdTemplate { get; set; }

    /// <summary>Date formats tried in order (.NET custom format strings); ISO 8601 is always tried last.</summary>
    public List<string> DateFormats { get; set; } = [];

    /// <summary>IANA time zone of dates that carry no offset.</summary>
    public string TimeZone { get; set; } = "UTC";

    /// <summary>Decimal separator of amounts: <c>.</c> or <c>,</c>.</summary>
    public string DecimalSeparator { get; set; } = ".";

    /// <summary>Currency when the row has none.</summary>
    public string DefaultCurrency { get; set; } = "USD";

    /// <summary>Source status value → ordered | cancelled | returned (case-insensitive). Unmapped values are matched by keyword.</summary>
    public Dictionary<string, string> StatusMap { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Description used when the feed has none (e.g. "CDs").</summary>
    public string? DefaultDescription { get; set; }

    /// <summary>Longest record accepted, in bytes; longer ones are quarantined.</summary>
    public int MaxRecordBytes { get; set; } = 1 << 20;

    /// <summary>Resolved format for a file name.</summary>
    public string FormatFor(string path)
    {
        if (!string.Equals(Format, "auto", StringComparison.OrdinalIgnoreCase))
        {
            return Format.ToLowerInvariant();
        }

        var name = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? path[..^3] : path;
        var ext = Path.GetExtension(name).ToLowerInvariant();
        return ext switch
        {
            ".jsonl" or ".ndjson" or ".json" => "jsonl",
            ".tsv" or ".tab" => "tsv",
            ".txt" or ".dat" => "whitespace",
            _ => "csv",
        };
    }
}

/// <summary>All order feeds, bound from <c>Crm:Orders</c>.</summary>
public sealed class OrdersOptions
{
    /// <summary>The configured feeds.</summary>
    public List<OrderFeedOptions> Feeds { get; set; } = [];
}

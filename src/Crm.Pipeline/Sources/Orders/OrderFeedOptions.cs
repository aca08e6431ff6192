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

    /// <summary>
    /// Thousands separator of amounts: <c>,</c>, <c>.</c>, <c>'</c>, a space (which also matches the
    /// no-break spaces spreadsheets write), or empty for none. Unset, it is the other of <c>.</c> and
    /// <c>,</c> from <see cref="DecimalSeparator"/>, so <c>1.249,00</c> reads with a decimal comma.
    /// </summary>
    public string? ThousandsSeparator { get; set; }

    /// <summary>
    /// Text encoding of the files: <c>auto</c> (UTF-8, or UTF-8/UTF-16 by their byte order mark), or any
    /// name .NET knows: <c>windows-1252</c>, <c>iso-8859-1</c>, <c>utf-16</c>, <c>gb18030</c>, <c>shift_jis</c>, ….
    /// </summary>
    public string Encoding { get; set; } = "auto";

    /// <summary>
    /// Whether the order-level fields of an order's first row (order_date, customer_id, email, name, phone,
    /// address, postcode, country, currency, status) are applied to the order's following rows where those
    /// are empty, as Shopify's export writes them on the first row only. The rows of one order must follow each other.
    /// </summary>
    public bool CarryDown { get; set; }

    /// <summary>
    /// Columns whose non-empty values, joined by a space, make the customer's name (e.g. a first and a last
    /// name column); used instead of the <c>name</c> column mapping when set.
    /// </summary>
    public List<string> NameColumns { get; set; } = [];

    /// <summary>
    /// A column holding the order's time of day when the <c>order_date</c> column holds only its date
    /// (Square's <c>Date</c> and <c>Time</c>); the two values are joined by a space before
    /// <see cref="DateFormats"/> are tried, e.g. <c>yyyy-MM-dd HH:mm:ss</c>.
    /// </summary>
    public string? TimeColumn { get; set; }

    /// <summary>
    /// Whether rows with neither a customer id nor an email load as guest sales (revenue without a
    /// customer) instead of being quarantined.
    /// </summary>
    public bool AllowGuestOrders { get; set; }

    /// <summary>Order ids starting with this prefix are cancellations (e.g. <c>C</c> in the UCI Online Retail layout).</summary>
    public string? CancelledOrderIdPrefix { get; set; }

    /// <summary>
    /// Whether a negative quantity on a line whose status says it was paid is a return. When false (the
    /// default) such a line is quarantined as implausible; a negative line without a status is always a return.
    /// </summary>
    public bool NegativeQuantityIsReturn { get; set; }

    /// <summary>Days after a file's arrival (its modification time) an order date may lie before the line is quarantined as implausible.</summary>
    public int FutureDateMarginDays { get; set; } = 2;

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

using System.Globalization;
using System.IO.Enumeration;
using System.Text;
using Microsoft.Extensions.Configuration;

namespace Crm.Pipeline.Sources.Orders;

/// <summary>
/// Proposes a feed for an order file from its first block (<c>crm feeds detect</c>): encoding, delimiter,
/// header, date formats, decimal and thousands separators, and the column mapping, by a known platform
/// layout's header first (the sample feeds in <c>deploy/config/feeds</c>), then by header synonyms, then by
/// content. Every choice it was unsure of, and every column it could not place, is listed.
/// </summary>
public static partial class FeedDetector
{
    /// <summary>Bytes read from the start of a file.</summary>
    public const int SampleBytes = 64 * 1024;

    private static readonly char[] Delimiters = [',', ';', '\t', '|'];

    /// <summary>
    /// Reads the start of <paramref name="path"/> and proposes a feed for it.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="name">The feed's name; null: the known layout's name, else the file's name.</param>
    /// <param name="timeZone">The IANA zone of dates without an offset; null: UTC, noted as unsure.</param>
    /// <exception cref="InvalidDataException">The file is empty or not text; the message says why.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static FeedProposal Detect(string path, string? name, string? timeZone)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] head;
        using (var file = File.OpenRead(path))
        {
            head = ReadUpTo(file, SampleBytes);
        }

        return Detect(head, Path.GetFileName(path), name, timeZone);
    }

    /// <summary>Proposes a feed for a file whose first bytes are <paramref name="head"/>.</summary>
    /// <exception cref="InvalidDataException">The bytes are empty or not text; the message says why.</exception>
    public static FeedProposal Detect(byte[] head, string fileName, string? name, string? timeZone)
    {
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(fileName);
        var proposal = new FeedProposal();
        if (head.Length == 0)
        {
            throw new InvalidDataException("the file is empty: there is nothing to detect a layout from.");
        }

        var (encoding, encodingWhy) = DetectEncoding(head);
        proposal.Recognised.Add($"encoding: {encodingWhy}");
        string text;
        using (var utf8 = FeedText.OpenUtf8(new MemoryStream(head), encoding, out _))
        using (var reader = new StreamReader(utf8, new UTF8Encoding(false, false)))
        {
            text = reader.ReadToEnd();
        }

        var complete = head.Length < SampleBytes;
        var (format, delimiter, records, delimiterWhy) = DetectLayout(text, complete);
        proposal.Recognised.Add(delimiterWhy);
        if (records.Count == 0)
        {
            throw new InvalidDataException("no records in the first block of the file (only blank lines?).");
        }

        var fields = records.Select(r => SplitRecord(r, format, delimiter)).ToList();
        var hasHeader = LooksLikeHeader(fields);
        proposal.Recognised.Add(hasHeader
            ? $"header: the first record ({Preview(fields[0])}) holds names, not values"
            : "no header: the first record holds values (numbers or dates); columns are mapped by position (#N)");

        var feed = MatchKnownLayout(fields, hasHeader, format, proposal)
            ?? MapColumns(fields, hasHeader, proposal);
        feed.Name = string.IsNullOrWhiteSpace(name) ? (feed.Name.Length > 0 ? feed.Name : FeedNameFrom(fileName)) : name;
        feed.Format = format;
        feed.Delimiter = format == "csv" ? delimiter.ToString() : ",";
        feed.HasHeader = hasHeader;
        feed.Encoding = encoding;
        feed.Folder = null;
        FitPattern(feed, fileName, proposal);
        ApplyTimeZone(feed, fields, hasHeader, timeZone, proposal);
        proposal.Feed = feed;
        Preview(proposal, records, hasHeader);
        return proposal;
    }

    /// <summary>
    /// A layout's file pattern is the platform's own export name (Shopify's <c>orders_export*.csv</c>); when the
    /// file at hand is named otherwise, the proposal would load nothing from its folder, so it takes the
    /// file's extension instead and says so.
    /// </summary>
    private static void FitPattern(OrderFeedOptions feed, string fileName, FeedProposal proposal)
    {
        var name = Path.GetFileName(fileName);
        // The matching that Directory.GetFiles applies to the feed's Pattern (case-sensitive here, as on Linux).
        if (string.IsNullOrEmpty(name) || FileSystemName.MatchesSimpleExpression(feed.Pattern, name, ignoreCase: false))
        {
            return;
        }

        var extension = Path.GetExtension(name);
        var pattern = extension.Length > 1 ? "*" + extension : "*";
        proposal.Unsure.Add($"file pattern: the layout's '{feed.Pattern}' would not pick up '{name}', so the proposal says '{pattern}'; narrow it if other files share the feed's Folder");
        feed.Pattern = pattern;
    }

    private static byte[] ReadUpTo(Stream stream, int max)
    {
        var buffer = new byte[max];
        var total = 0;
        int read;
        while (total < max && (read = stream.Read(buffer, total, max - total)) > 0)
        {
            total += read;
        }

        return buffer[..total];
    }

    private static (string Setting, string Why) DetectEncoding(byte[] head)
    {
        var span = head.AsSpan();
        if (span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            return ("auto", "UTF-8 with a byte order mark");
        }

        if (span.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
        {
            return ("auto", "UTF-16 LE with a byte order mark (Excel \"Unicode text\")");
        }

        if (span.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            return ("auto", "UTF-16 BE with a byte order mark");
        }

        if (FeedText.Utf16WithoutBom(span) is { } utf16)
        {
            return (utf16, $"{utf16} without a byte order mark (every other byte is NUL)");
        }

        if (span.IndexOf((byte)0) is var nul and >= 0)
        {
            throw new InvalidDataException($"not a text file: a NUL byte at offset {nul}; export the orders as CSV or tab-separated text.");
        }

        // A block cut mid-character ends in an incomplete sequence; look at complete lines only.
        var end = head.Length < SampleBytes ? head.Length : Math.Max(0, span.LastIndexOf((byte)'\n') + 1);
        var valid = IsUtf8(span[..(end == 0 ? head.Length : end)]);
        if (valid)
        {
            return ("auto", "UTF-8 (every byte sequence is valid UTF-8)");
        }

        return ("windows-1252", "not valid UTF-8, read as Windows-1252 (the encoding Excel and older shop systems write on Western European Windows); unsure: if letters look wrong, try iso-8859-1 or another Encoding");
    }

    private static bool IsUtf8(ReadOnlySpan<byte> bytes)
    {
        try
        {
            _ = new UTF8Encoding(false, true).GetCharCount(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    /// <summary>Splits the text into records (quote-aware for delimited text) and picks the delimiter.</summary>
    private static (string Format, char Delimiter, List<string> Records, string Why) DetectLayout(string text, bool complete)
    {
        var best = (Delimiter: ',', Columns: 0, Records: new List<string>(), Share: 0.0);
        foreach (var d in Delimiters)
        {
            var records = Records(text, complete, quoteAware: true);
            if (records.Count == 0)
            {
                continue;
            }

            var counts = records.Take(50).Select(r => SplitDelimited(r, d).Count).ToList();
            var mode = counts.GroupBy(c => c).OrderByDescending(g => g.Count()).ThenByDescending(g => g.Key).First();
            var share = (double)mode.Count() / counts.Count;
            if (mode.Key > 1 && share >= 0.8 && (mode.Key > best.Columns || (mode.Key == best.Columns && share > best.Share)))
            {
                best = (d, mode.Key, records, share);
            }
        }

        if (best.Columns > 1)
        {
            var name = best.Delimiter switch { '\t' => "tab", ';' => "semicolon", '|' => "pipe", _ => "comma" };
            return (best.Delimiter == '\t' ? "tsv" : "csv", best.Delimiter, best.Records,
                $"delimiter: {name}, {best.Columns} columns in {best.Share:P0} of the sampled records");
        }

        var lines = Records(text, complete, quoteAware: false);
        return ("whitespace", ' ', lines, "delimiter: none of , ; tab | splits the records alike; columns separated by spaces (fixed-width or whitespace-separated)");
    }

    private static List<string> Records(string text, bool complete, bool quoteAware)
    {
        var records = new List<string>();
        var start = 0;
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoteAware && c == '"')
            {
                quoted = !quoted;
            }
            else if (c == '\n' && !quoted)
            {
                Add(text[start..i]);
                start = i + 1;
            }
        }

        // The last record of a block cut short is incomplete: leave it out of the sample.
        if (complete && start < text.Length)
        {
            Add(text[start..]);
        }

        return records;

        void Add(string record)
        {
            record = record.TrimEnd('\r');
            if (record.Trim().Length > 0)
            {
                records.Add(record);
            }
        }
    }

    private static List<string> SplitRecord(string record, string format, char delimiter) =>
        format == "whitespace"
            ? record.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).ToList()
            : SplitDelimited(record, delimiter);

    private static List<string> SplitDelimited(string record, char delimiter)
    {
        var fields = new List<string>();
        var sb = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < record.Length; i++)
        {
            var c = record[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < record.Length && record[i + 1] == '"')
                {
                    sb.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    sb.Append(c);
                }
            }
            else if (c == '"' && sb.Length == 0)
            {
                quoted = true;
            }
            else if (c == delimiter)
            {
                fields.Add(sb.ToString());
                sb.Clear();
            }
            else
            {
                sb.Append(c);
            }
        }

        fields.Add(sb.ToString());
        return fields;
    }

    private static bool LooksLikeHeader(List<List<string>> fields)
    {
        var first = fields[0];
        if (first.Any(f => IsValue(f.Trim().TrimStart('\uFEFF'))))
        {
            return false;
        }

        // A lone record of names and no values is a header-only file.
        return fields.Count == 1 || fields.Skip(1).Take(20).Any(r => r.Any(f => IsValue(f.Trim())));
    }

    /// <summary>A number, an amount or a date: what a data row holds and a header does not.</summary>
    private static bool IsValue(string s) =>
        s.Length > 0 && (decimal.TryParse(StripMoney(s), NumberStyles.Number, CultureInfo.InvariantCulture, out _)
            || DateTime.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out _));

    private static string StripMoney(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var c in s)
        {
            if (char.GetUnicodeCategory(c) != UnicodeCategory.CurrencySymbol)
            {
                sb.Append(c);
            }
        }

        return sb.ToString().Trim();
    }

    private static string Preview(List<string> record) =>
        string.Join(", ", record.Take(4).Select(f => "'" + (f.Length > 24 ? f[..24] + "…" : f) + "'")) + (record.Count > 4 ? ", …" : "");

    private static string FeedNameFrom(string fileName)
    {
        var stem = Path.GetFileNameWithoutExtension(fileName).ToLowerInvariant();
        var sb = new StringBuilder();
        foreach (var c in stem)
        {
            sb.Append(char.IsAsciiLetterOrDigit(c) ? c : '-');
        }

        var result = sb.ToString().Trim('-');
        return result.Length == 0 ? "orders" : result;
    }

    /// <summary>The sample feeds of known platform layouts, embedded from <c>deploy/config/feeds</c>.</summary>
    internal static IReadOnlyList<OrderFeedOptions> KnownLayouts { get; } = LoadKnownLayouts();

    private static List<OrderFeedOptions> LoadKnownLayouts()
    {
        var assembly = typeof(FeedDetector).Assembly;
        var feeds = new List<OrderFeedOptions>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith("Crm.Feeds.", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            var config = new ConfigurationBuilder().AddJsonStream(stream).Build();
            var options = new OrdersOptions();
            config.GetSection("Crm:Orders").Bind(options);
            feeds.AddRange(options.Feeds.Where(f => f.Format != "jsonl" && f.Folder is null));
        }

        return feeds;
    }
}

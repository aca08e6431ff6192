using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Crm.Pipeline.Sources.Orders;

/// <summary>
/// Checks <c>Crm:Orders:Feeds</c> at start: every failure names the setting path and the value it got, all
/// at once, so a misspelt time zone or a folder that does not exist stops the service at start, not at 2 a.m.
/// </summary>
public sealed partial class OrdersOptionsValidator : IValidateOptions<OrdersOptions>
{
    /// <summary>The values <see cref="OrderFeedOptions.Format"/> accepts.</summary>
    public static readonly IReadOnlyList<string> Formats = ["auto", "csv", "tsv", "whitespace", "jsonl"];

    private static readonly string[] Statuses = ["ordered", "cancelled", "returned"];

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, OrdersOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.Feeds.Count; i++)
        {
            ValidateFeed(options.Feeds[i], $"Crm:Orders:Feeds:{i}", names, failures);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateFeed(OrderFeedOptions f, string at, HashSet<string> names, List<string> failures)
    {
        // The reading settings (Encoding, ThousandsSeparator, …) by the same rules the parser applies to each file.
        OrderFeedParsingSettings.Check(f, at + ":", failures);
        if (string.IsNullOrWhiteSpace(f.Name))
        {
            failures.Add($"{at}:Name is required (it prefixes the feed's order and customer ids).");
        }
        else if (f.Name.Contains(':', StringComparison.Ordinal))
        {
            failures.Add($"{at}:Name '{f.Name}' must not contain ':' (it separates the feed from the file in ledger keys).");
        }
        else if (!names.Add(f.Name))
        {
            failures.Add($"{at}:Name '{f.Name}' is used by another feed.");
        }

        if (!string.IsNullOrWhiteSpace(f.Folder) && SourceFolders.Problem(f.Folder) is { } folderProblem)
        {
            failures.Add($"{at}:Folder '{f.Folder}' {folderProblem}; create it, or fix the path.");
        }

        if (SourceFolders.PatternProblem(f.Pattern) is { } patternProblem)
        {
            failures.Add($"{at}:Pattern '{f.Pattern}' {patternProblem}.");
        }

        var format = f.Format?.ToLowerInvariant() ?? "";
        if (!Formats.Contains(format))
        {
            failures.Add($"{at}:Format '{f.Format}' must be one of {string.Join(", ", Formats)}.");
        }

        if (format is "csv" or "auto" && f.Delimiter is not { Length: 1 })
        {
            failures.Add($"{at}:Delimiter '{f.Delimiter}' must be exactly one character (e.g. ',' or ';').");
        }

        if (!TimeZoneInfo.TryFindSystemTimeZoneById(f.TimeZone ?? "", out _))
        {
            failures.Add($"{at}:TimeZone '{f.TimeZone}' is not a known IANA time zone (e.g. 'Europe/Berlin').");
        }

        for (var d = 0; d < f.DateFormats.Count; d++)
        {
            if (DateFormatProblem(f.DateFormats[d]) is { } problem)
            {
                failures.Add($"{at}:DateFormats:{d} '{f.DateFormats[d]}' {problem}.");
            }
        }

        if (f.DecimalSeparator is not ("." or ","))
        {
            failures.Add($"{at}:DecimalSeparator '{f.DecimalSeparator}' must be '.' or ','.");
        }

        if (f.DefaultCurrency is not { Length: 3 } currency || !currency.All(char.IsAsciiLetterUpper))
        {
            failures.Add($"{at}:DefaultCurrency '{f.DefaultCurrency}' must be a three-letter ISO 4217 code in capitals (e.g. 'EUR').");
        }

        foreach (var (status, mapped) in f.StatusMap)
        {
            if (!Statuses.Contains(mapped))
            {
                failures.Add($"{at}:StatusMap:{status} '{mapped}' must be ordered, cancelled or returned.");
            }
        }

        if (f.MaxRecordBytes is < 1024 or > 1 << 30)
        {
            failures.Add($"{at}:MaxRecordBytes must be 1024..1073741824; got {f.MaxRecordBytes}.");
        }

        ValidateColumns(f, at, format, failures);
    }

    private static void ValidateColumns(OrderFeedOptions f, string at, string format, List<string> failures)
    {
        foreach (var (field, column) in f.Columns)
        {
            if (!OrderRowParser.Fields.Contains(field, StringComparer.OrdinalIgnoreCase))
            {
                failures.Add($"{at}:Columns:{field} is not an order field; the fields are {string.Join(", ", OrderRowParser.Fields)}.");
                continue;
            }

            if (string.IsNullOrWhiteSpace(column))
            {
                failures.Add($"{at}:Columns:{field} is empty; name the source column (a header, #N for the N-th column, or a JSON property).");
            }
            else if (column.StartsWith('#'))
            {
                if (!int.TryParse(column.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1)
                {
                    failures.Add($"{at}:Columns:{field} '{column}' must be #N with N a column number from 1.");
                }
                else if (format == "jsonl")
                {
                    failures.Add($"{at}:Columns:{field} '{column}': JSON lines have no numbered columns; name the property.");
                }
            }
            else if (!f.HasHeader && format is "csv" or "tsv" or "whitespace")
            {
                failures.Add($"{at}:Columns:{field} '{column}' names a header column, but HasHeader is false; use #N for the N-th column.");
            }
        }

        bool Mapped(string field) => f.Columns.TryGetValue(field, out var c) && !string.IsNullOrWhiteSpace(c);
        if (f.Columns.Count == 0)
        {
            failures.Add($"{at}:Columns is empty; map at least order_date, customer_id or email, order_id (or set OrderIdTemplate), and unit_price or line_total.");
            return;
        }

        if (!Mapped("order_date"))
        {
            failures.Add($"{at}:Columns:order_date is required (the column holding the order's date).");
        }

        if (!Mapped("customer_id") && !Mapped("email"))
        {
            failures.Add($"{at}:Columns needs customer_id or email (who ordered).");
        }

        if (!Mapped("unit_price") && !Mapped("line_total"))
        {
            failures.Add($"{at}:Columns needs unit_price or line_total (what the line cost).");
        }

        if (string.IsNullOrWhiteSpace(f.OrderIdTemplate))
        {
            if (!Mapped("order_id"))
            {
                failures.Add($"{at}:Columns:order_id is required unless OrderIdTemplate builds the id (e.g. '{{customer_id}}-{{order_date}}').");
            }
        }
        else
        {
            foreach (Match m in Placeholder().Matches(f.OrderIdTemplate))
            {
                var field = m.Groups[1].Value;
                if (!OrderRowParser.Fields.Contains(field, StringComparer.Ordinal) || !Mapped(field))
                {
                    failures.Add($"{at}:OrderIdTemplate '{f.OrderIdTemplate}' uses {{{field}}}, which is not a mapped field of Columns.");
                }
            }
        }
    }

    /// <summary>Null when <paramref name="format"/> is a .NET date format that reads back what it writes.</summary>
    private static string? DateFormatProblem(string format)
    {
        if (string.IsNullOrWhiteSpace(format))
        {
            return "is empty";
        }

        var sample = new DateTime(2024, 11, 23, 17, 45, 30, DateTimeKind.Unspecified);
        string text;
        try
        {
            text = sample.ToString(format, CultureInfo.InvariantCulture);
        }
        catch (FormatException)
        {
            return "is not a .NET date format (e.g. 'dd/MM/yyyy HH:mm')";
        }

        return DateTime.TryParseExact(text, format, CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
            ? null
            : "cannot read back the dates it writes (e.g. use 'dd/MM/yyyy HH:mm')";
    }

    [GeneratedRegex(@"\{([^{}]*)\}")]
    private static partial Regex Placeholder();
}

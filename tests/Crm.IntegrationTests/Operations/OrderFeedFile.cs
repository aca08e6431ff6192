using System.Globalization;
using System.Text;

namespace Crm.IntegrationTests.Operations;

/// <summary>
/// A generated order feed big enough that loading it takes a few seconds (so a fault can hit it
/// mid-COPY): <c>lines</c> order lines, three per order, plus one malformed row that must be quarantined.
/// </summary>
internal static class OrderFeedFile
{
    /// <summary>The feed name in the settings file.</summary>
    public const string Feed = "big";

    /// <summary>Writes the data file and a settings file with a feed <c>big</c> reading <paramref name="directory"/>.</summary>
    public static async Task<(string DataFile, string SettingsFile)> WriteAsync(string directory, int lines)
    {
        var inbox = Directory.CreateDirectory(Path.Combine(directory, "inbox")).FullName;
        var settings = Path.Combine(directory, "feed.json");
        await File.WriteAllTextAsync(settings, """
            {"Crm":{"Orders":{"Feeds":[{"Name":"FEED","Folder":"INBOX","Pattern":"*.csv","Format":"csv","Columns":{"order_id":"order_id","order_date":"order_date","customer_id":"customer_id","sku":"sku","quantity":"quantity","unit_price":"unit_price"}}]}}}
            """.Replace("FEED", Feed, StringComparison.Ordinal).Replace("INBOX", inbox, StringComparison.Ordinal));
        var data = Path.Combine(inbox, "orders.csv");
        await using var writer = new StreamWriter(data, false, new UTF8Encoding(false), 1 << 16);
        await writer.WriteLineAsync("order_id,order_date,customer_id,sku,quantity,unit_price");
        for (var i = 0; i < lines; i++)
        {
            await writer.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"o{i / 3},2026-01-{1 + (i % 28):00}T10:00:00Z,c{i % 5000},sku-{i % 97},{1 + (i % 4)},{(i % 1000) / 10.0:0.00}"));
        }

        await writer.WriteLineAsync("bad,row");
        return (data, settings);
    }

    /// <summary>
    /// Writes a second file of the same feed beside <paramref name="dataFile"/>, named to sort after it: the same lines
    /// (and the same malformed row) with every order id prefixed <c>x</c>, so it holds other orders.
    /// </summary>
    public static async Task<string> WriteSecondAsync(string dataFile)
    {
        var second = Path.Combine(Path.GetDirectoryName(dataFile)!, "orders2.csv");
        var lines = await File.ReadAllLinesAsync(dataFile);
        for (var i = 1; i < lines.Length; i++)
        {
            lines[i] = "x" + lines[i];
        }

        await File.WriteAllLinesAsync(second, lines, new UTF8Encoding(false));
        return second;
    }

    /// <summary>Order-independent fingerprints of what an order load leaves in the warehouse.</summary>
    public static readonly string[] Fingerprints =
    [
        "select md5(string_agg(concat_ws('|', feed, order_id, line_key, sku, quantity, unit_price, line_total, status), ',' order by feed, order_id, line_key)) from core.order_line",
        "select md5(string_agg(concat_ws('|', feed, order_id, order_ts, source_customer_id, line_count, total_amount, status), ',' order by feed, order_id)) from core.\"order\"",
        "select concat_ws('|', count(*), sum(read_count), sum(loaded_count), sum(quarantined_count), sum(duplicate_count)) from ops.ingest_ledger",
        "select concat_ws('|', count(*), string_agg(reason, ',')) from quarantine.record",
    ];
}

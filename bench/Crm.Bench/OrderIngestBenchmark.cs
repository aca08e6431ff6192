using System.Diagnostics;
using System.Globalization;
using System.Text;
using Crm.Pipeline.Sources.Orders;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Crm.Bench;

/// <summary>
/// Order-feed ingest (parse + COPY into staging + merge into core, one transaction) in rows/s, beside
/// two baselines of the same run: a plain text <c>COPY … FROM STDIN</c> of the same file into a table of
/// the same columns, and the final core rows binary-COPYed straight into the same indexed core tables.
/// </summary>
internal static class OrderIngestBenchmark
{
    public static async Task RunAsync(int rows, bool explain = false)
    {
        var dir = Directory.CreateTempSubdirectory("crm-bench-orders-").FullName;
        try
        {
            var file = Path.Combine(dir, "orders.csv");
            Generate(file, rows);
            var size = new FileInfo(file).Length;
            Console.WriteLine($"orders: {rows:N0} lines, {size / 1024.0 / 1024.0:0.0} MiB CSV");

            await using var env = await BenchEnvironment.StartAsync();
            await using var baselineDb = await env.CreateDatabaseAsync("bench_orders_copy");
            await using var ingestDb = await env.CreateDatabaseAsync("bench_orders_ingest");

            // Baseline: the same bytes through a plain text COPY into a table of the same columns.
            await using (var command = baselineDb.CreateCommand(
                "create table plain_copy (order_id text, order_date timestamptz, customer_id text, email text, name text, sku text, description text, quantity numeric, unit_price numeric, currency text, status text)"))
            {
                await command.ExecuteNonQueryAsync();
            }

            var copyWatch = Stopwatch.StartNew();
            await using (var connection = await baselineDb.OpenConnectionAsync())
            {
                await using var writer = await connection.BeginTextImportAsync("copy plain_copy from stdin (format csv, header true)");
                using var input = new StreamReader(file, Encoding.UTF8, false, 1 << 20);
                var buffer = new char[1 << 16];
                int read;
                while ((read = await input.ReadAsync(buffer)) > 0)
                {
                    await writer.WriteAsync(buffer.AsMemory(0, read));
                }
            }

            copyWatch.Stop();

            var feed = new OrderFeedOptions
            {
                Name = "bench",
                Format = "csv",
                Columns = new(StringComparer.OrdinalIgnoreCase)
                {
                    ["order_id"] = "order_id", ["order_date"] = "order_date", ["customer_id"] = "customer_id", ["email"] = "email",
                    ["name"] = "name", ["sku"] = "sku", ["description"] = "description", ["quantity"] = "quantity",
                    ["unit_price"] = "unit_price", ["currency"] = "currency", ["status"] = "status",
                },
            };
            // The landing alone (parse + binary COPY into staging), rolled back, to split the cost.
            var landWatch = Stopwatch.StartNew();
            await using (var connection = await ingestDb.OpenConnectionAsync())
            await using (var transaction = await connection.BeginTransactionAsync())
            await using (var stream = File.OpenRead(file))
            {
                await using var ledger = connection.CreateCommand();
                ledger.CommandText = "insert into ops.ingest_ledger (source, unit_key) values ('bench', 'land-only') returning ledger_id";
                var ledgerId = (long)(await ledger.ExecuteScalarAsync())!;
                await OrderFeedIngester.LandAsync(connection, stream, feed, "csv", ledgerId, [], null, CancellationToken.None);
                await transaction.RollbackAsync();
            }

            landWatch.Stop();
            if (explain)
            {
                await ExplainMergeAsync(ingestDb, file, feed);
            }

            var ingestWatch = Stopwatch.StartNew();
            var result = await new OrderFeedIngester(ingestDb, NullLogger<OrderFeedIngester>.Instance).IngestFileAsync(file, feed, null, CancellationToken.None);
            ingestWatch.Stop();

            // Second baseline: the rows the ingest left in core, binary-COPYed straight into the same
            // indexed core tables of a fresh warehouse (exported beforehand, untimed), one transaction.
            var coreSeconds = await CopyIntoCoreAsync(ingestDb, baselineDb, dir);

            var copyRate = rows / copyWatch.Elapsed.TotalSeconds;
            var ingestRate = rows / ingestWatch.Elapsed.TotalSeconds;
            var coreRate = rows / coreSeconds;
            var landRate = rows / landWatch.Elapsed.TotalSeconds;
            Console.WriteLine($"  plain COPY FROM STDIN : {copyRate,12:N0} rows/s ({copyWatch.Elapsed.TotalSeconds:0.0} s: the CSV text into one unindexed table)");
            Console.WriteLine($"  binary COPY into core : {coreRate,12:N0} rows/s ({coreSeconds:0.0} s: the final core.order_line, core.\"order\", core.source_customer rows into the same indexed tables)");
            Console.WriteLine($"  crm order ingest      : {ingestRate,12:N0} rows/s ({ingestWatch.Elapsed.TotalSeconds:0.0} s; {result.Counts})");
            Console.WriteLine($"  of which landing      : {landRate,12:N0} rows/s ({landWatch.Elapsed.TotalSeconds:0.0} s: parse + binary COPY into staging, measured alone)");
            Console.WriteLine($"  ratio ingest / COPY   : {ingestRate / copyRate:0.00} (target >= 0.5)");
            Console.WriteLine($"  ratio ingest / core   : {ingestRate / coreRate:0.00} (target >= 0.8)");
            Console.WriteLine($"  peak memory           : {BenchEnvironment.PeakMemoryMiB():0} MiB");
            BenchReport.Add("orders.rows", rows);
            BenchReport.Add("orders.csv_bytes", size);
            BenchReport.Add("orders.plain_copy_seconds", copyWatch.Elapsed.TotalSeconds);
            BenchReport.Add("orders.core_copy_seconds", coreSeconds);
            BenchReport.Add("orders.ingest_seconds", ingestWatch.Elapsed.TotalSeconds);
            BenchReport.Add("orders.land_seconds", landWatch.Elapsed.TotalSeconds);
            BenchReport.Add("orders.plain_copy_rows_per_s", copyRate);
            BenchReport.Add("orders.core_copy_rows_per_s", coreRate);
            BenchReport.Add("orders.ingest_rows_per_s", ingestRate);
            BenchReport.Add("orders.ratio_ingest_to_plain_copy", ingestRate / copyRate);
            BenchReport.Add("orders.ratio_ingest_to_core_copy", ingestRate / coreRate);
            BenchReport.Add("orders.loaded", result.Counts.Loaded);
            BenchReport.Add("orders.quarantined", result.Counts.Quarantined);
            BenchReport.Add("orders.duplicate", result.Counts.Duplicate);
            BenchReport.Add("orders.peak_working_set_mib", BenchEnvironment.PeakMemoryMiB());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// <c>--explain</c>: lands the file and prints <c>EXPLAIN (ANALYZE, BUFFERS)</c> of the merge into the
    /// empty core tables (a first delivery), then rolls both back.
    /// </summary>
    private static async Task ExplainMergeAsync(NpgsqlDataSource db, string file, OrderFeedOptions feed)
    {
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var stream = File.OpenRead(file);
        await using var ledger = connection.CreateCommand();
        ledger.CommandText = "insert into ops.ingest_ledger (source, unit_key) values ('bench', 'explain') returning ledger_id";
        var ledgerId = (long)(await ledger.ExecuteScalarAsync())!;
        var orderIds = new HashSet<string>(StringComparer.Ordinal);
        await OrderFeedIngester.LandAsync(connection, stream, feed, "csv", ledgerId, [], orderIds, CancellationToken.None);
        await using (var memory = new NpgsqlCommand("set local work_mem = '256MB'", connection, transaction))
        {
            await memory.ExecuteNonQueryAsync();
        }

        await using var command = new NpgsqlCommand("explain (analyze, buffers) " + OrderFeedIngester.MergeSql, connection, transaction) { CommandTimeout = 0 };
        command.Parameters.AddWithValue("ledger_id", ledgerId);
        command.Parameters.AddWithValue("feed", feed.Name);
        command.Parameters.Add(new NpgsqlParameter("orders", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text) { Value = orderIds.ToArray() });
        await using (var reader = await command.ExecuteReaderAsync())
        {
            Console.WriteLine("  EXPLAIN (ANALYZE, BUFFERS) of the merge, first delivery:");
            while (await reader.ReadAsync())
            {
                var planLine = reader.GetString(0);
                Console.WriteLine("    " + (planLine.Length > 200 ? planLine[..200] + " …" : planLine));
            }
        }

        await transaction.RollbackAsync();
    }

    private static readonly string[] CoreTables = ["core.order_line", "core.\"order\"", "core.source_customer"];

    /// <summary>
    /// Exports the core order tables of <paramref name="from"/> in binary COPY format (untimed), then
    /// times their binary COPY into the empty, indexed core tables of <paramref name="to"/> in one transaction.
    /// </summary>
    private static async Task<double> CopyIntoCoreAsync(NpgsqlDataSource from, NpgsqlDataSource to, string dir)
    {
        var files = new List<string>();
        await using (var connection = await from.OpenConnectionAsync())
        {
            foreach (var table in CoreTables)
            {
                var file = Path.Combine(dir, $"core-{files.Count}.bin");
                await using (var output = File.Create(file))
                await using (var raw = await connection.BeginRawBinaryCopyAsync($"copy {table} to stdout (format binary)"))
                {
                    await raw.CopyToAsync(output);
                }

                files.Add(file);
            }
        }

        var watch = Stopwatch.StartNew();
        await using (var connection = await to.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            for (var i = 0; i < CoreTables.Length; i++)
            {
                await using (var input = File.OpenRead(files[i]))
                await using (var raw = await connection.BeginRawBinaryCopyAsync($"copy {CoreTables[i]} from stdin (format binary)"))
                {
                    await input.CopyToAsync(raw);
                }
            }

            await transaction.CommitAsync();
        }

        return watch.Elapsed.TotalSeconds;
    }

    private static void Generate(string path, int rows)
    {
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        writer.WriteLine("order_id,order_date,customer_id,email,name,sku,description,quantity,unit_price,currency,status");
        var start = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        for (var i = 0; i < rows; i++)
        {
            var customer = (i * 7919) % 200_000;
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"o{i / 3},{start.AddMinutes(i / 3):yyyy-MM-ddTHH:mm:ssZ},c{customer},c{customer}@example.com,Customer {customer},sku-{i % 500},Product {i % 500},{1 + (i % 5)},{(i % 997) / 10.0:0.00},EUR,{(i % 50 == 0 ? "cancelled" : "paid")}"));
        }
    }
}

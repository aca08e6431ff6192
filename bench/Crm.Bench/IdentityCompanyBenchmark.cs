using System.Diagnostics;
using System.Globalization;
using System.Text;
using Crm.Pipeline.Identity;
using Crm.Pipeline.Jobs;
using Crm.Pipeline.Sources.Orders;
using Crm.Synthetic;
using Crm.Worker.Commands;
using Crm.Worker.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using Sylvan.Data.Csv;

namespace Crm.Bench;

/// <summary>
/// <c>identity company N [--explain K]</c>: the generated company of N people (<c>crm generate</c>,
/// seed 1, kept under <c>.crm/bench/company-N</c>) loaded through the real order and e-mail
/// ingesters into a throwaway embedded PostgreSQL, resolved by the identity stage, and scored
/// pairwise against the generator's truth (<c>truth/records.csv</c>) — beside an exact-key
/// baseline (same normalised e-mail, or same source customer id) on the same records. With
/// <c>--explain K</c>, prints K wrongly merged customers and K missed pairs with their records
/// and merge evidence.
/// </summary>
internal static class IdentityCompanyBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var explain = 0;
        var sizes = new List<int>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--explain")
            {
                explain = int.Parse(args[++i], CultureInfo.InvariantCulture);
            }
            else
            {
                sizes.Add(int.Parse(args[i], CultureInfo.InvariantCulture));
            }
        }

        if (sizes.Count == 0)
        {
            sizes.Add(10_000);
        }

        foreach (var n in sizes)
        {
            await RunOneAsync(n, explain);
        }

        return 0;
    }

    private static async Task RunOneAsync(int n, int explain)
    {
        var dir = Path.GetFullPath(Path.Combine(".crm", "bench", $"company-{n}"));
        var clock = Stopwatch.StartNew();
        if (!File.Exists(Path.Combine(dir, "truth", "records.csv")) || !File.Exists(Path.Combine(dir, "README.md")))
        {
            var summary = new SyntheticCompanyGenerator(new GeneratorOptions { Customers = n, Seed = 1, Out = dir, Progress = false }).Run();
            Console.WriteLine($"company[{n:N0}]: generated {summary.Persons:N0} people, {summary.Orders:N0} orders, {summary.Emails:N0} e-mails, {summary.Duplicates:N0} duplicate customer records in {clock.Elapsed.TotalSeconds:F1} s (not counted)");
        }

        var root = Path.Combine(Path.GetTempPath(), "crm-bench-company-" + Guid.NewGuid().ToString("N")[..8]);
        await using var server = await EmbeddedPostgres.StartAsync(root, CancellationToken.None);
        try
        {
            await using (var admin = new NpgsqlConnection(server.ConnectionString))
            {
                await admin.OpenAsync();
                await using var create = new NpgsqlCommand("create database bench_company", admin);
                await create.ExecuteNonQueryAsync();
            }

            var connection = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = "bench_company", CommandTimeout = 0 }.ConnectionString;
            await using var host = await CommandHost.StartAsync(
                null, CancellationToken.None, new Dictionary<string, string?> { ["ConnectionStrings:Warehouse"] = connection }, extraJson: Settings(dir));
            var runner = host.Services.GetRequiredService<PipelineRunner>();
            clock.Restart();
            // File by file, so that a file the order ingester cannot load is reported and skipped
            // (its customers then simply take no part) instead of ending the benchmark.
            var ingester = host.Services.GetRequiredService<OrderFeedIngester>();
            var failed = new List<string>();
            foreach (var feed in host.Services.GetRequiredService<IOptions<OrdersOptions>>().Value.Feeds)
            {
                foreach (var file in Directory.GetFiles(feed.Folder!, feed.Pattern).Order(StringComparer.Ordinal))
                {
                    try
                    {
                        await ingester.IngestFileAsync(file, feed, null, CancellationToken.None);
                    }
                    catch (PostgresException e)
                    {
                        failed.Add($"{Path.GetFileName(file)} ({e.SqlState} {e.MessageText})");
                    }
                }
            }

            await runner.RunAsync(["email"], "bench", _ => NullProgressSink.Instance, CancellationToken.None);
            Console.WriteLine($"company[{n:N0}]: orders and e-mails ingested in {clock.Elapsed.TotalSeconds:F1} s (not counted)");
            if (failed.Count > 0)
            {
                Console.WriteLine($"  WARNING: the order ingester failed on {failed.Count} file(s), left out: {string.Join("; ", failed)}");
            }

            var rows = await ReadSourceAsync(host.DataSource);
            var baseline = Stopwatch.StartNew();
            var baseLabels = ExactKey(rows);
            baseline.Stop();

            clock.Restart();
            var results = await runner.RunAsync(["identity"], "bench", _ => NullProgressSink.Instance, CancellationToken.None);
            var stageTime = clock.Elapsed;
            var labels = await ReadAssignmentAsync(host.DataSource, rows);
            var truth = ReadTruth(Path.Combine(dir, "truth", "records.csv"));

            var scored = new List<int>();
            for (var i = 0; i < rows.Count; i++)
            {
                if (truth.ContainsKey((rows[i].Source, rows[i].Id)))
                {
                    scored.Add(i);
                }
            }

            var t = scored.Select(i => truth[(rows[i].Source, rows[i].Id)]).ToList();
            var m = PairwiseMetrics.Compute(t, scored.Select(i => labels[i]).ToList());
            var b = PairwiseMetrics.Compute(t, scored.Select(i => baseLabels[i]).ToList());
            Console.WriteLine($"company[{n:N0}]: {rows.Count:N0} source customer records ({scored.Count:N0} with truth), {t.Distinct().Count():N0} true people");
            Console.WriteLine($"  baseline exact key (same e-mail): P={b.Precision:F4} R={b.Recall:F4} F1={b.F1:F4} in {baseline.Elapsed.TotalSeconds:F2} s");
            Console.WriteLine($"  identity stage (full run, warehouse in and out): P={m.Precision:F4} R={m.Recall:F4} F1={m.F1:F4} in {stageTime.TotalSeconds:F2} s ({results[0].Result.Summary})");
            Console.WriteLine($"    true pairs {m.TruePairs:N0}, predicted pairs {m.PredictedPairs:N0}, correct {m.CorrectPairs:N0}");
            Dump(Path.Combine(dir, "identity-records.csv"), rows, scored, t);
            if (explain > 0)
            {
                await ExplainAsync(host.DataSource, rows, labels, scored, t, explain);
            }
        }
        finally
        {
            await server.StopAsync();
            Directory.Delete(root, recursive: true);
        }
    }

    // The scored records with their true person, in the layout `identity eval` reads, for fast in-memory iterations.
    private static void Dump(string path, List<Row> rows, List<int> scored, List<string> truth)
    {
        using var w = new StreamWriter(path, false, new UTF8Encoding(false));
        w.WriteLine("person_id,source,name,email,phone,address,postcode,country");
        static string Q(string? v) => v is null ? string.Empty : "\"" + v.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        for (var s = 0; s < scored.Count; s++)
        {
            var r = rows[scored[s]];
            w.WriteLine(string.Join(',', truth[s], Q(r.Source), Q(r.Name), Q(r.Email), Q(r.Phone), Q(r.Address), Q(r.Postcode), Q(r.Country)));
        }
    }

    /// <summary>The identity settings of the demo, which the stage runs with in this benchmark.</summary>
    internal static Crm.Pipeline.Identity.IdentityOptions DemoIdentityOptions()
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "demo", "identity.settings.json")))!;
        return System.Text.Json.JsonSerializer.Deserialize<Crm.Pipeline.Identity.IdentityOptions>(json["Crm"]!["Identity"]!.ToJsonString())!;
    }

    private static MemoryStream Settings(string dir)
    {
        var template = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "demo", "synthetic.settings.json"));
        var json = template.Replace("{demo}/synthetic", dir.Replace("\\", "\\\\", StringComparison.Ordinal), StringComparison.Ordinal);
        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        node["Crm"]!.AsObject().Remove("WebLogs");
        node["Crm"]!["Email"] = System.Text.Json.Nodes.JsonNode.Parse($$"""{ "Drops": [ "{{dir}}/email/eml", "{{dir}}/email/mbox" ], "StaffDomains": [ "shop.example" ] }""");
        var identity = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "demo", "identity.settings.json")))!;
        node["Crm"]!["Identity"] = identity["Crm"]!["Identity"]!.DeepClone();
        node["Crm"]!["Identity"]!["Mode"] = "full";
        return new MemoryStream(Encoding.UTF8.GetBytes(node.ToJsonString()));
    }

    private sealed record Row(string Source, string Id, string? Email, string? Name, string? Phone, string? Address, string? Postcode, string? Country);

    private static async Task<List<Row>> ReadSourceAsync(NpgsqlDataSource ds)
    {
        var rows = new List<Row>();
        await using var cmd = ds.CreateCommand("select source, source_customer_id, email, customer_name, phone, address, postcode, country from core.source_customer order by 1, 2");
        await using var r = await cmd.ExecuteReaderAsync();
        string? S(int i) => r.IsDBNull(i) ? null : r.GetString(i);
        while (await r.ReadAsync())
        {
            rows.Add(new Row(r.GetString(0), r.GetString(1), S(2), S(3), S(4), S(5), S(6), S(7)));
        }

        return rows;
    }

    private static async Task<long[]> ReadAssignmentAsync(NpgsqlDataSource ds, List<Row> rows)
    {
        var map = new Dictionary<(string, string), long>();
        await using var cmd = ds.CreateCommand("select source, source_customer_id, customer_id from core.customer_identity");
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            map[(r.GetString(0), r.GetString(1))] = r.GetInt64(2);
        }

        var labels = new long[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            labels[i] = map.TryGetValue((rows[i].Source, rows[i].Id), out var c) ? c : -1 - i;
        }

        return labels;
    }

    private static Dictionary<(string, string), string> ReadTruth(string path)
    {
        var truth = new Dictionary<(string, string), string>();
        using var reader = CsvDataReader.Create(path);
        while (reader.Read())
        {
            var source = reader.GetString(0);
            if (source.StartsWith("orders:", StringComparison.Ordinal) || source == "email")
            {
                var id = source == "email" ? reader.GetString(1).ToLowerInvariant() : reader.GetString(1);
                truth[(source, id)] = reader.GetString(2);
            }
        }

        return truth;
    }

    // Exact-key dedupe baseline: records with the same lower-cased, trimmed e-mail are one customer.
    private static long[] ExactKey(List<Row> rows)
    {
        var first = new Dictionary<string, long>(StringComparer.Ordinal);
        var labels = new long[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            var e = rows[i].Email?.Trim().ToLowerInvariant();
            labels[i] = e is { Length: > 0 } ? (first.TryGetValue(e, out var l) ? l : first[e] = i) : i;
        }

        return labels;
    }

    private static async Task ExplainAsync(NpgsqlDataSource ds, List<Row> rows, long[] labels, List<int> scored, List<string> truth, int k)
    {
        var byCustomer = new Dictionary<long, List<int>>();
        var byPerson = new Dictionary<string, List<int>>();
        for (var s = 0; s < scored.Count; s++)
        {
            var i = scored[s];
            (byCustomer.TryGetValue(labels[i], out var l) ? l : byCustomer[labels[i]] = []).Add(s);
            (byPerson.TryGetValue(truth[s], out var p) ? p : byPerson[truth[s]] = []).Add(s);
        }

        string Show(int s)
        {
            var r = rows[scored[s]];
            return $"      [{truth[s]}] {r.Source}/{r.Id}: name={r.Name} | email={r.Email} | phone={r.Phone} | addr={r.Address} | pc={r.Postcode}";
        }

        var wrong = byCustomer.Where(c => c.Value.Select(s => truth[s]).Distinct().Count() > 1).Take(k).ToList();
        Console.WriteLine($"  wrongly merged customers (first {wrong.Count}):");
        foreach (var (customer, members) in wrong)
        {
            Console.WriteLine($"    customer {customer}:");
            foreach (var s in members)
            {
                Console.WriteLine(Show(s));
            }

            await using var cmd = ds.CreateCommand("select left_source, left_id, right_source, right_id, rule, probability, fields::text from identity.merge_evidence where customer_id = $1");
            cmd.Parameters.AddWithValue(customer);
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync())
            {
                Console.WriteLine($"      link {r.GetString(1)} ~ {r.GetString(3)} rule={r.GetString(4)} p={r.GetDouble(5):F4} {r.GetString(6)}");
            }
        }

        var missed = byPerson.Where(p => p.Value.Select(s => labels[scored[s]]).Distinct().Count() > 1).Take(k).ToList();
        Console.WriteLine($"  split people (first {missed.Count}):");
        foreach (var (person, members) in missed)
        {
            Console.WriteLine($"    person {person}:");
            foreach (var s in members)
            {
                Console.WriteLine(Show(s) + $" → customer {labels[scored[s]]}");
            }
        }
    }
}

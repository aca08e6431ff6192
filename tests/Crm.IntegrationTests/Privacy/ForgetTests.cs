using Crm.IntegrationTests.Infrastructure;
using Crm.Pipeline.Privacy;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit.Abstractions;

namespace Crm.IntegrationTests.Privacy;

/// <summary>
/// The right to be forgotten (issue 10) on the bundled synthetic company: load everything, forget one person,
/// and search every text column of every table for their address, name and phone — then load the same
/// files again, and changed copies of them, and search again.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ForgetTests(PostgresCluster cluster, ITestOutputHelper output)
{
    private sealed record Person(string Id, string Name, string Email, List<(string Source, string Id)> Records);

    [Fact]
    public async Task Forget_ErasesThePersonFromEverySchema_AndReingestDoesNotBringThemBack()
    {
        await using var ds = await cluster.CreateMigratedDatabaseAsync("forget");
        // The first few people seen in orders, web logs and email with a name no one else has; the web log
        // files that mention their customer ids (uid=…), every order file and mailbox.
        var persons = ReadPersons().Values.OrderBy(p => p.Id, StringComparer.Ordinal).Take(8).ToDictionary(p => p.Id);
        var tokens = persons.Values.SelectMany(p => p.Records).Where(r => r.Source.StartsWith("orders:", StringComparison.Ordinal)).Select(r => "uid=" + r.Id).ToList();
        await using var world = ForgetWorld.Create(ds, tokens);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await world.RunAsync("orders", "weblogs", "email", "identity");
        output.WriteLine($"loaded in {watch.Elapsed.TotalSeconds:0.0} s");
        var everyone = ReadPersons(all: true);
        var resolved = new List<(Person Person, long CustomerId)>();
        foreach (var p in persons.Values)
        {
            if (await SoleCustomerAsync(ds, p, everyone) is { } id)
            {
                resolved.Add((p, id));
            }
        }

        // The person to forget: in orders, web logs (as a logged-in visitor) and email, one golden record,
        // a name no one else has. The control: another such person, who must stay.
        var candidates = new List<(Person Person, long CustomerId)>();
        foreach (var (p, id) in resolved)
        {
            if (await ds.ScalarAsync<long>($"select count(*) from core.email where customer_address = '{p.Email}'") > 0
                && await ds.ScalarAsync<long>($"select count(*) from core.web_visitor_link l join core.customer_identity i on (i.source, i.source_customer_id) = (l.source, l.source_customer_id) where i.customer_id = {id}") > 0)
            {
                candidates.Add((p, id));
            }
        }

        Assert.True(candidates.Count >= 2, $"the synthetic company should have people seen in every source; found {candidates.Count}");
        var (person, customerId) = candidates[0];
        var (control, controlId) = candidates[1];
        var phones = await StringsAsync(ds, $"select distinct phone from staging.order_line where source_customer_id in ({string.Join(',', person.Records.Where(r => r.Source.StartsWith("orders:", StringComparison.Ordinal)).Select(r => $"'{r.Id}'"))}) and phone is not null");
        Assert.NotEmpty(phones);

        // Model outputs, a quarantined line and an archived report that name them.
        await ds.ExecuteAsync($"""
            insert into ml.churn_score (customer_id, scored_at, model_version, probability, risk_band, top_drivers)
            select customer_id, now(), 'test', 0.5, 'medium', '[]' from core.customer where status = 'active';
            insert into ml.customer_segment (customer_id, as_of, scheme, segment) select customer_id, current_date, 'rfm', 'Loyal' from core.customer where status = 'active';
            insert into quarantine.record (source, unit_path, line_number, reason, raw_text, raw_length)
            values ('orders', 'old.csv', 7, 'unparseable date', 'SO1,31/02/2025,{person.Records[0].Id},{person.Email},{person.Name},{phones[0]}', 80);
            """);
        var archived = Path.Combine(world.Root, "report.html");
        var html = $"<html><body><h1>At risk</h1><table><tr><td>{person.Name}</td><td>{person.Email}</td></tr><tr><td>{control.Name}</td><td>{control.Email}</td></tr></table></body></html>";
        await File.WriteAllTextAsync(archived, html);
        await using (var insert = ds.CreateCommand(
            """
            insert into ops.report_delivery (report, period_key, period_start, period_end, recipient, status, message_id, subject, html, eml, html_path, sent_at)
            values ('manager-summary', 'weekly:x', current_date - 7, current_date, 'boss@shop.example', 'sent', '<r1@crm>', 'Weekly summary', @html, @eml, @path, now())
            """))
        {
            insert.Parameters.AddWithValue("html", html);
            insert.Parameters.AddWithValue("eml", System.Text.Encoding.UTF8.GetBytes("Subject: Weekly\r\n\r\n" + html));
            insert.Parameters.AddWithValue("path", archived);
            await insert.ExecuteNonQueryAsync();
        }

        var needles = new List<string> { person.Email, person.Name };
        needles.AddRange(phones);
        // The search really finds them before: in golden, source, staging, email, quarantine and the archive.
        var before = await CatalogSearch.FindAsync(ds, person.Email);
        Assert.Contains("core.customer.email", before);
        Assert.Contains("staging.order_line.email", before);
        Assert.Contains("core.email.customer_address", before);
        Assert.Contains("ops.report_delivery.html", before);
        Assert.Contains("quarantine.record.raw_text", await CatalogSearch.FindAsync(ds, person.Name));
        var otherOrders = await ds.ScalarAsync<long>($"select count(*) from core.\"order\" o where not exists (select 1 from core.customer_identity i where i.customer_id = {customerId} and i.source = 'orders:' || o.feed and i.source_customer_id = o.source_customer_id)");
        var otherEvents = await ds.ScalarAsync<long>($"select count(*) from core.web_event where visitor_key not in (select source_customer_id from core.customer_identity where customer_id = {customerId} and source = 'web')");
        var customers = await ds.ScalarAsync<long>("select count(*) from core.customer");

        output.WriteLine($"prepared in {watch.Elapsed.TotalSeconds:0.0} s");
        var result = await world.Services.GetRequiredService<Forgetter>().ForgetAsync(new ForgetRequest("  " + person.Email.ToUpperInvariant() + " ", null), "dpo@shop.example", CancellationToken.None);

        Assert.Equal([customerId], result.Customers);
        Assert.True(result.Counts["core.order"] > 0 && result.Counts["core.email"] > 0 && result.Counts["core.web_event"] > 0, string.Join(", ", result.Counts));
        Assert.Equal(1, result.Counts["ops.report_delivery"]);
        Assert.True(result.Identifiers >= 3, $"email, phone and order record hashed; got {result.Identifiers}");
        output.WriteLine($"forgot {person.Id} in {watch.Elapsed.TotalSeconds:0.0} s: {string.Join(", ", result.Counts.Where(c => c.Value > 0))}");
        await AssertGoneAsync(ds, needles);
        output.WriteLine($"searched in {watch.Elapsed.TotalSeconds:0.0} s");
        var redacted = await File.ReadAllTextAsync(archived);
        Assert.DoesNotContain(person.Name, redacted, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(control.Name, redacted, StringComparison.Ordinal);
        Assert.Equal(0L, await ds.ScalarAsync<long>("select count(*) from ops.report_delivery where eml is not null"));

        // The audit row says who and how much, never whom in clear.
        Assert.Equal(1L, await ds.ScalarAsync<long>($"select count(*) from ops.forget_audit where requested_by = 'dpo@shop.example' and subject_kind = 'email' and subject_hash = ops.suppression_hash('email', '{person.Email.ToLowerInvariant()}') and customers = array[{customerId}]::bigint[] and (counts ->> 'core.customer')::int = 1"));

        // Everyone else is untouched.
        Assert.Equal(customers - 1, await ds.ScalarAsync<long>("select count(*) from core.customer"));
        Assert.Equal(otherOrders, await ds.ScalarAsync<long>("select count(*) from core.\"order\""));
        Assert.Equal(otherEvents, await ds.ScalarAsync<long>("select count(*) from core.web_event"));
        Assert.Contains("core.customer.email", await CatalogSearch.FindAsync(ds, control.Email));
        Assert.Equal(1L, await ds.ScalarAsync<long>($"select count(*) from ml.churn_score where customer_id = {controlId}"));

        // The same files again: recognised as loaded. Then every file changed (new units, same records): suppressed.
        await world.RunAsync("orders", "weblogs", "email", "identity");
        await AssertGoneAsync(ds, needles);
        world.TouchEverySourceFile();
        await world.RunAsync("orders", "weblogs", "email", "identity");
        await AssertGoneAsync(ds, needles);
        output.WriteLine($"reloaded and searched in {watch.Elapsed.TotalSeconds:0.0} s");
        var ids = string.Join(',', person.Records.Select(r => $"'{r.Id}'"));
        Assert.Equal(0L, await ds.ScalarAsync<long>($"select count(*) from core.web_event where user_id in ({ids})"));
        Assert.Equal(0L, await ds.ScalarAsync<long>($"select count(*) from core.web_visitor_link where source_customer_id in ({ids})"));
        Assert.Equal(0L, await ds.ScalarAsync<long>($"select count(*) from core.source_customer where source_customer_id in ({ids})"));
        Assert.True(await ds.ScalarAsync<long>("select count(*) from quarantine.record where source = 'orders' and reason = 'suppressed' and raw_text = ''") > 0);
        Assert.True(await ds.ScalarAsync<long>("select count(*) from quarantine.record where source = 'email' and reason = 'suppressed' and raw_text = ''") > 0);
        Assert.Equal(0L, await ds.ScalarAsync<long>("select count(*) from ops.ingest_ledger where read_count <> loaded_count + quarantined_count + duplicate_count"));
        Assert.Contains("core.customer.email", await CatalogSearch.FindAsync(ds, control.Email));
    }

    [Fact]
    public async Task Forget_ByCustomerId_AndAnUnknownIdIsRefused()
    {
        await using var ds = await cluster.CreateMigratedDatabaseAsync("forget_id");
        await ds.ExecuteAsync("""
            insert into core.customer (customer_id, email, customer_name, phone) values (41, 'zoe.q@example.org', 'Zoe Quartermaine', '+441632960001'), (42, 'al@example.org', 'Al Other', null);
            insert into core.source_customer (source, source_customer_id, email, customer_name, phone, first_seen, last_seen)
            values ('orders:shop', 'Z-000041', 'Zoe.Q@example.org', 'Zoe Quartermaine', '01632 960001', now(), now()),
                   ('orders:shop', 'A-000042', 'al@example.org', 'Al Other', null, now(), now());
            insert into core.customer_identity (source, source_customer_id, customer_id) values ('orders:shop', 'Z-000041', 41), ('orders:shop', 'A-000042', 42);
            """);
        var forgetter = new Forgetter(ds, Microsoft.Extensions.Logging.Abstractions.NullLogger<Forgetter>.Instance);

        await Assert.ThrowsAsync<ArgumentException>(() => forgetter.ForgetAsync(new ForgetRequest(null, 999), "test", CancellationToken.None));
        var result = await forgetter.ForgetAsync(new ForgetRequest(null, 41), "test", CancellationToken.None);

        Assert.Equal([41L], result.Customers);
        await AssertGoneAsync(ds, ["zoe.q@example.org", "Zoe Quartermaine", "01632 960001", "+441632960001"]);
        Assert.Equal(1L, await ds.ScalarAsync<long>("select count(*) from core.customer"));
        // Suppressed: the address, both phone forms' digits and the record.
        Assert.Equal(1L, await ds.ScalarAsync<long>("select count(*) from ops.suppression where hash = ops.suppression_hash('email', 'zoe.q@example.org')"));
        Assert.Equal(1L, await ds.ScalarAsync<long>("select count(*) from ops.suppression where hash = ops.suppression_hash('phone', '441632960001')"));
        Assert.Equal(1L, await ds.ScalarAsync<long>("select count(*) from ops.suppression where hash = ops.suppression_hash('phone', '01632960001')"));
        Assert.Equal(1L, await ds.ScalarAsync<long>("select count(*) from ops.suppression where hash = ops.suppression_hash('customer', 'orders:shop/Z-000041')"));
        // The C# hash agrees with the SQL one (the web log ingester checks in C#).
        var salt = await ds.ScalarAsync<string>("select salt from ops.privacy_salt");
        Assert.Equal(await ds.ScalarAsync<string>("select ops.suppression_hash('customer', 'orders:shop/Z-000041')"), Suppression.Hash(salt, "customer", "orders:shop/Z-000041"));
    }

    private static async Task AssertGoneAsync(NpgsqlDataSource ds, IEnumerable<string> needles)
    {
        var hits = await CatalogSearch.FindAllAsync(ds, needles.ToList());
        Assert.True(hits.Count == 0, "still in the warehouse: " + string.Join(", ", hits.Select(h => $"'{h.Needle}' in {h.Column}")));
    }

    /// <summary>The one golden customer holding all of the person's order and email records, and nobody else's; else null.</summary>
    private static async Task<long?> SoleCustomerAsync(NpgsqlDataSource ds, Person p, Dictionary<string, Person> persons)
    {
        var keys = string.Join(" or ", p.Records.Select(r => $"(source = '{r.Source}' and source_customer_id = '{r.Id}')"));
        var ids = await StringsAsync(ds, $"select distinct customer_id::text from core.customer_identity where {keys}");
        if (ids.Count != 1 || await ds.ScalarAsync<long>($"select count(*) from core.customer_identity where {keys}") != p.Records.Count)
        {
            return null;
        }

        var owner = persons.Values.SelectMany(x => x.Records.Select(r => (r, x.Id))).ToLookup(t => t.r, t => t.Id);
        foreach (var (source, id) in await PairsAsync(ds, $"select source, source_customer_id from core.customer_identity where customer_id = {ids[0]} and source <> 'web'"))
        {
            if (!owner[(source, id)].Contains(p.Id))
            {
                return null;
            }
        }

        return long.Parse(ids[0], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static Dictionary<string, Person> ReadPersons(bool all = false)
    {
        var truth = Path.Combine(ForgetWorld.Synthetic, "truth");
        var lines = File.ReadAllLines(Path.Combine(truth, "persons.csv"));
        var header = lines[0].Split(',');
        int Col(string name) => Array.IndexOf(header, name);
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        var names = rows.Select(r => r[Col("given_name")] + " " + r[Col("family_name")]).ToList();
        var persons = new Dictionary<string, Person>(StringComparer.Ordinal);
        for (var i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            var name = names[i];
            // Someone with orders, web visits and email, whose name no one else's contains.
            if (all || int.Parse(r[Col("orders")], System.Globalization.CultureInfo.InvariantCulture) > 0
                && int.Parse(r[Col("web_sessions")], System.Globalization.CultureInfo.InvariantCulture) > 0
                && int.Parse(r[Col("emails_sent")], System.Globalization.CultureInfo.InvariantCulture) > 0
                && names.Count(n => n.Contains(name, StringComparison.OrdinalIgnoreCase)) == 1)
            {
                persons[r[Col("person_id")]] = new Person(r[Col("person_id")], name, r[Col("email")], []);
            }
        }

        foreach (var line in File.ReadLines(Path.Combine(truth, "records.csv")).Skip(1))
        {
            var f = line.Split(',');
            if (persons.TryGetValue(f[2], out var p) && (f[0].StartsWith("orders:", StringComparison.Ordinal) || f[0] == "email"))
            {
                p.Records.Add((f[0], f[1]));
            }
        }

        return persons;
    }

    private static async Task<List<string>> StringsAsync(NpgsqlDataSource ds, string sql)
    {
        var list = new List<string>();
        await using var command = ds.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            list.Add(reader.GetString(0));
        }

        return list;
    }

    private static async Task<List<(string, string)>> PairsAsync(NpgsqlDataSource ds, string sql)
    {
        var list = new List<(string, string)>();
        await using var command = ds.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            list.Add((reader.GetString(0), reader.GetString(1)));
        }

        return list;
    }
}

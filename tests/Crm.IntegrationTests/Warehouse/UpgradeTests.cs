using Crm.IntegrationTests.Infrastructure;
using Crm.Pipeline.Warehouse;
using Npgsql;

namespace Crm.IntegrationTests.Warehouse;

/// <summary>
/// Issue 15 item 9: a warehouse built by an earlier release (the migrations up to <see cref="EarlierRelease"/>, applied
/// and journaled as that release's migrator did) and holding data migrates to the current schema with its data intact.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class UpgradeTests(PostgresCluster cluster)
{
    /// <summary>The last migration of the "earlier release": orders, web logs, email and identity, none of what came after.</summary>
    private const string EarlierRelease = "0300_identity";

    private static readonly string[] Schemas = ["ops", "staging", "quarantine", "core", "ml", "identity", "quartz"];

    [Fact]
    public async Task AWarehouseOfAnEarlierRelease_HoldingData_MigratesToTheCurrentSchema_WithItsDataIntact()
    {
        await using var upgraded = NpgsqlDataSource.Create(await cluster.CreateDatabaseAsync("upgrade"));
        var all = SqlResource.Migrations();
        var earlier = all.TakeWhile(m => string.CompareOrdinal(m.Name, EarlierRelease) <= 0).ToList();
        Assert.Equal(EarlierRelease, earlier[^1].Name);
        Assert.True(earlier.Count < all.Count, "no migration after the earlier release to test");
        await Infrastructure.EarlierRelease.ApplyAsync(upgraded, earlier);
        await FillAsync(upgraded);
        var before = await TableFingerprintsAsync(upgraded, columnsFrom: null);
        Assert.True(before.Count >= 12, $"only {before.Count} tables hold data");

        var applied = await new Migrator(upgraded).MigrateAsync(CancellationToken.None);

        Assert.Equal(all.Skip(earlier.Count).Select(m => m.Name), applied);
        Assert.Empty(await new Migrator(upgraded).PendingAsync(CancellationToken.None));
        // The schema is exactly what a new warehouse gets.
        await using var fresh = await cluster.CreateMigratedDatabaseAsync("fresh");
        Assert.Equal(await SchemaAsync(fresh), await SchemaAsync(upgraded));
        // Every row of every table is still there, each column it had unchanged.
        var after = await TableFingerprintsAsync(upgraded, columnsFrom: before);
        Assert.Equal(before.Select(t => $"{t.Key}={t.Value.Fingerprint}"), after.Select(t => $"{t.Key}={t.Value.Fingerprint}"));
        // The run the earlier release left 'running' an hour ago kept no heartbeat: it is judged from its start, so the next run
        // (once the server has been up for three beats) marks it abandoned, as AbandonedRunTests shows.
        Assert.Equal("running|15|t", await upgraded.ScalarAsync<string>(
            "select concat_ws('|', status, heartbeat_seconds, heartbeat_at = started_at) from ops.pipeline_run where run_id = '00000000-0000-0000-0000-0000000000a2'"));
    }

    /// <summary>Data shaped for the earlier schema: an order feed load, web sessions, an email, golden customers, runs.</summary>
    private static Task FillAsync(NpgsqlDataSource dataSource) => dataSource.ExecuteAsync(
        """
        insert into ops.ingest_ledger (source, unit_key, unit_path, checksum, byte_start, byte_end, read_count, loaded_count, quarantined_count, run_id)
        values ('orders', 'shop:/in/orders-1.csv', '/in/orders-1.csv', repeat('a', 64), 0, 52000, 301, 300, 1, '00000000-0000-0000-0000-0000000000a1'),
               ('email', 'drop:/mail/1.eml', '/mail/1.eml', repeat('b', 64), 0, 900, 1, 1, 0, '00000000-0000-0000-0000-0000000000a1');
        insert into quarantine.record (source, ledger_id, unit_path, line_number, byte_offset, reason, raw_text, raw_length)
        values ('orders', 1, '/in/orders-1.csv', 302, 51990, 'missing order_date', 'bad,row', 7);
        insert into staging.order_line (ledger_id, line_number, feed, order_id, order_ts, source_customer_id, email, customer_name, sku, quantity, unit_price, line_total, currency, status)
        select 1, i + 1, 'shop', 'o' || (i / 3), timestamptz '2025-01-01 10:00+00' + i * interval '1 hour', 'c' || (i % 40),
               'c' || (i % 40) || '@example.com', 'Customer ' || (i % 40), 'sku-' || (i % 17), 1 + i % 4, (i % 50) + 0.99, (1 + i % 4) * ((i % 50) + 0.99), 'EUR', 'ordered'
        from generate_series(0, 299) i;
        insert into core.order_line (feed, order_id, line_key, sku, quantity, unit_price, line_total, status, ledger_id, line_number)
        select feed, order_id, line_number::text, sku, quantity, unit_price, line_total, status, ledger_id, line_number from staging.order_line;
        insert into core."order" (feed, order_id, order_ts, source_customer_id, currency, status, line_count, total_amount, ledger_id)
        select feed, order_id, min(order_ts), min(source_customer_id), 'EUR', 'ordered', count(*), sum(line_total), 1 from staging.order_line group by feed, order_id;
        insert into core.source_customer (source, source_customer_id, email, customer_name, first_seen, last_seen, date_of_birth)
        select 'orders:shop', source_customer_id, min(email), min(customer_name), min(order_ts), max(order_ts), date '1980-01-01' + count(*)::int
        from staging.order_line group by source_customer_id;
        insert into core.customer (customer_id, email, customer_name, first_seen, last_seen, source_count)
        select row_number() over (order by source_customer_id), email, customer_name, first_seen, last_seen, 1 from core.source_customer;
        insert into core.customer_identity (source, source_customer_id, customer_id)
        select s.source, s.source_customer_id, c.customer_id from core.source_customer s join core.customer c using (email);
        insert into core.web_session (site, visitor_key, session_start, session_end, session_key, events, pages, assets, landing_page, converted, is_bot)
        select 'www', 'h:' || i, timestamptz '2025-02-01 08:00+00' + i * interval '1 day', timestamptz '2025-02-01 08:20+00' + i * interval '1 day',
               md5('www|h:' || i), 5, 3, 2, '/p/' || i, i % 7 = 0, false
        from generate_series(1, 30) i;
        insert into core.web_visitor_link (visitor_key, source, source_customer_id, evidence, first_seen, last_seen)
        values ('h:1', 'orders:shop', 'c1', 'login', '2025-02-02', '2025-02-02');
        insert into core.email (dedupe_key, message_id, content_hash, thread_key, sent_at, from_address, to_addresses, subject, body_text, direction,
                                customer_address, source_kind, source_location, ledger_id)
        values ('<m1@example.com>|h1', '<m1@example.com>', 'h1', 't1', '2025-03-01 09:00+00', 'c1@example.com', '{support@shop.example}',
                'Where is my order?', 'It has not arrived.', 'inbound', 'c1@example.com', 'eml', '/mail/1.eml', 2);
        insert into ops.pipeline_run (run_id, kind, status, started_at, finished_at) values
            ('00000000-0000-0000-0000-0000000000a1', 'nightly', 'succeeded', now() - interval '1 day', now() - interval '23 hours'),
            ('00000000-0000-0000-0000-0000000000a2', 'manual', 'running', now() - interval '1 hour', null);
        insert into ops.pipeline_stage (run_id, stage, status, started_at, finished_at, rows_read, rows_written) values
            ('00000000-0000-0000-0000-0000000000a1', 'orders', 'succeeded', now() - interval '1 day', now() - interval '23 hours', 301, 300),
            ('00000000-0000-0000-0000-0000000000a2', 'orders', 'running', now() - interval '1 hour', null, null, null);
        insert into ops.job_enqueue (enqueue_key, job_name, hangfire_id) values ('nightly@2025-03-01T02:00:00Z', 'nightly', '17');
        """);

    /// <summary>
    /// Per table holding rows: its columns (those of <paramref name="columnsFrom"/> when given, so columns added since are left out)
    /// and a fingerprint of every row over them. The migration journal is left out: it grows by design.
    /// </summary>
    private static async Task<SortedDictionary<string, (string[] Columns, string Fingerprint)>> TableFingerprintsAsync(
        NpgsqlDataSource dataSource, SortedDictionary<string, (string[] Columns, string Fingerprint)>? columnsFrom)
    {
        var tables = new SortedDictionary<string, string[]>(StringComparer.Ordinal);
        await using (var command = dataSource.CreateCommand(
            """
            select c.table_schema || '.' || c.table_name, array_agg(c.column_name::text order by c.ordinal_position)
            from information_schema.columns c join information_schema.tables t using (table_schema, table_name)
            where c.table_schema = any(@schemas) and t.table_type = 'BASE TABLE' and not (c.table_schema = 'ops' and c.table_name = 'schema_migration')
            group by 1
            """))
        {
            command.Parameters.AddWithValue("schemas", Schemas);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                tables[reader.GetString(0)] = reader.GetFieldValue<string[]>(1);
            }
        }

        var result = new SortedDictionary<string, (string[], string)>(StringComparer.Ordinal);
        foreach (var (table, current) in tables)
        {
            var columns = columnsFrom is null ? current : columnsFrom.TryGetValue(table, out var then) ? then.Columns : null;
            if (columns is null)
            {
                continue;
            }

            var parts = table.Split('.');
            var row = "row(" + string.Join(", ", columns.Select(c => "t." + Quote(c))) + ")::text";
            var fingerprint = await dataSource.ScalarAsync<string>(
                $"select count(*) || ':' || coalesce(md5(string_agg({row}, E'\\n' order by {row})), '') from {Quote(parts[0])}.{Quote(parts[1])} t");
            if (columnsFrom is not null || !fingerprint.StartsWith("0:", StringComparison.Ordinal))
            {
                result[table] = (columns, fingerprint);
            }
        }

        return result;
    }

    private static Task<string> SchemaAsync(NpgsqlDataSource dataSource) =>
        dataSource.ScalarAsync<string>(
            """
            select (select string_agg(table_schema || '.' || table_name || '.' || column_name || ':' || data_type || ':' || is_nullable || ':' || coalesce(column_default, ''), E'\n'
                                      order by table_schema, table_name, column_name)
                      from information_schema.columns where table_schema in ('ops','staging','quarantine','core','ml','identity','quartz'))
                   || E'\n--\n' ||
                   (select string_agg(schemaname || ':' || indexdef, E'\n' order by schemaname, indexdef)
                      from pg_indexes where schemaname in ('ops','staging','quarantine','core','ml','identity','quartz'))
            """);

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}

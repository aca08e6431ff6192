using Npgsql;
using NpgsqlTypes;

namespace Crm.IntegrationTests.Churn;

/// <summary>One synthetic order line for tests.</summary>
public sealed record TestLine(string Customer, string OrderId, DateTime Ts, string Sku, decimal Total, string Status = "ordered");

/// <summary>Writes synthetic orders straight into core (feed 'test') with one golden customer per source customer.</summary>
public static class SyntheticOrders
{
    public static async Task InsertAsync(NpgsqlDataSource ds, IReadOnlyList<TestLine> lines)
    {
        await using var conn = await ds.OpenConnectionAsync();
        await using (var w = await conn.BeginBinaryImportAsync("copy core.order_line (feed, order_id, line_key, sku, quantity, line_total, status, ledger_id, line_number) from stdin (format binary)"))
        {
            var n = 0;
            foreach (var l in lines)
            {
                await w.StartRowAsync();
                await w.WriteAsync("test");
                await w.WriteAsync(l.OrderId);
                await w.WriteAsync((n++).ToString(System.Globalization.CultureInfo.InvariantCulture));
                await w.WriteAsync(l.Sku);
                await w.WriteAsync(1m, NpgsqlDbType.Numeric);
                await w.WriteAsync(l.Total, NpgsqlDbType.Numeric);
                await w.WriteAsync(l.Status);
                await w.WriteAsync(0L, NpgsqlDbType.Bigint);
                await w.WriteAsync((long)n, NpgsqlDbType.Bigint);
            }

            await w.CompleteAsync();
        }

        // Orders and source customers from the lines, as the order merge does.
        await using var cmd = new NpgsqlCommand(
            """
            create temp table t (customer text, order_id text, ts timestamptz) on commit drop;
            """, conn);
        await using var tx = await conn.BeginTransactionAsync();
        await cmd.ExecuteNonQueryAsync();
        await using (var w = await conn.BeginBinaryImportAsync("copy t from stdin (format binary)"))
        {
            foreach (var l in lines)
            {
                await w.StartRowAsync();
                await w.WriteAsync(l.Customer);
                await w.WriteAsync(l.OrderId);
                await w.WriteAsync(l.Ts, NpgsqlDbType.TimestampTz);
            }

            await w.CompleteAsync();
        }

        await using var merge = new NpgsqlCommand(
            """
            insert into core."order" (feed, order_id, order_ts, source_customer_id, currency, status, line_count, total_amount, ledger_id)
            select 'test', l.order_id, min(t.ts), min(t.customer), 'USD',
                   case when bool_and(l.status = 'cancelled') then 'cancelled'
                        when bool_and(l.status = 'returned') then 'returned' else 'ordered' end,
                   count(*), sum(l.line_total), 0
            from core.order_line l join (select distinct * from t) t on t.order_id = l.order_id
            where l.feed = 'test' and not exists (select 1 from core."order" o where o.feed = 'test' and o.order_id = l.order_id)
            group by l.order_id;
            insert into core.source_customer (source, source_customer_id, first_seen, last_seen)
            select 'orders:test', customer, min(ts), max(ts) from t group by customer
            on conflict (source, source_customer_id) do update set last_seen = greatest(core.source_customer.last_seen, excluded.last_seen);
            """, conn);
        await merge.ExecuteNonQueryAsync();
        await using var seed = new NpgsqlCommand(Crm.Pipeline.Warehouse.SqlResource.Load("seed_identity_one_to_one.sql"), conn);
        await seed.ExecuteNonQueryAsync();
        await tx.CommitAsync();
    }

    public static DateTime Utc(int y, int m, int d, int h = 12) => new(y, m, d, h, 0, 0, DateTimeKind.Utc);
}

using Npgsql;

namespace Crm.IntegrationTests.Backup;

/// <summary>
/// Every table's rows as one checksum, computed here and not by the code under test: md5 over each table's rows as text,
/// in the order of that text, for every plain table (and partition leaf) outside PostgreSQL's own schemas.
/// </summary>
internal static class TableChecksums
{
    public static async Task<SortedDictionary<string, string>> OfAsync(string connectionString)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var tables = new List<string>();
        await using (var list = dataSource.CreateCommand(
            """
            select quote_ident(n.nspname) || '.' || quote_ident(c.relname)
            from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where c.relkind = 'r' and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\_%'
            order by 1
            """))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var sums = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            await using var command = dataSource.CreateCommand(
                $"select count(*) || ':' || md5(coalesce(string_agg(t::text, E'\\n' order by t::text), '')) from {table} t");
            sums[table] = (string)(await command.ExecuteScalarAsync())!;
        }

        return sums;
    }
}

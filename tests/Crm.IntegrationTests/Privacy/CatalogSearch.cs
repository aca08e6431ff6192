using Npgsql;

namespace Crm.IntegrationTests.Privacy;

/// <summary>
/// Searches every text-like column (text, varchar, char, name, json, jsonb, arrays of them, bytea) of every table
/// in every non-system schema of the warehouse — ours, Hangfire's and Quartz's — for strings, driven by the
/// catalog, so a table added later is searched too. One scan per table.
/// </summary>
internal static class CatalogSearch
{
    /// <summary>"schema.table.column" of every column holding <paramref name="needle"/> (case-insensitive; bytea as UTF-8, case-sensitive).</summary>
    public static async Task<IReadOnlyList<string>> FindAsync(NpgsqlDataSource ds, string needle) =>
        (await FindAllAsync(ds, [needle])).Select(h => h.Column).ToList();

    /// <summary>Every (needle, "schema.table.column") where the column holds the needle.</summary>
    public static async Task<IReadOnlyList<(string Needle, string Column)>> FindAllAsync(NpgsqlDataSource ds, IReadOnlyList<string> needles)
    {
        var tables = new Dictionary<(string Schema, string Table), List<(string Column, bool Bytea)>>();
        await using (var command = ds.CreateCommand(
            """
            select n.nspname, c.relname, a.attname, t.typname = 'bytea'
              from pg_class c
              join pg_namespace n on n.oid = c.relnamespace
              join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
              join pg_type t on t.oid = a.atttypid
             where c.relkind in ('r', 'p')
               and not c.relispartition
               and n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
               and n.nspname not like 'pg_temp%'
               and t.typname in ('text', 'varchar', 'bpchar', 'name', 'json', 'jsonb', 'bytea', '_text', '_varchar', '_jsonb')
             order by 1, 2, 3
            """))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                var key = (reader.GetString(0), reader.GetString(1));
                if (!tables.TryGetValue(key, out var columns))
                {
                    tables[key] = columns = [];
                }

                columns.Add((reader.GetString(2), reader.GetBoolean(3)));
            }
        }

        var hits = new List<(string, string)>();
        foreach (var ((schema, table), columns) in tables)
        {
            var values = string.Join(", ", columns.Select(c => c.Bytea
                ? $"('{c.Column}', null::text, t.\"{c.Column}\")"
                : $"('{c.Column}', t.\"{c.Column}\"::text, null::bytea)"));
            await using var command = ds.CreateCommand(
                $"""
                select distinct n.v, x.col
                  from "{schema}"."{table}" t
                 cross join lateral (values {values}) x(col, txt, bin)
                 cross join unnest(@needles) n(v)
                 where (x.txt is not null and strpos(lower(x.txt), lower(n.v)) > 0)
                    or (x.bin is not null and position(convert_to(n.v, 'UTF8') in x.bin) > 0)
                """);
            command.Parameters.AddWithValue("needles", needles.ToArray());
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                hits.Add((reader.GetString(0), $"{schema}.{table}.{reader.GetString(1)}"));
            }
        }

        return hits;
    }
}

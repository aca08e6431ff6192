using System.Security.Cryptography;
using System.Text;
using Crm.Pipeline.Warehouse;
using Npgsql;

namespace Crm.IntegrationTests.Infrastructure;

/// <summary>A warehouse as an earlier release left it: only the migrations it shipped, journalled as it journalled them.</summary>
public static class EarlierRelease
{
    /// <summary>Applies <paramref name="migrations"/> one transaction each and journals them with their checksums, as <see cref="Migrator"/> does.</summary>
    public static async Task ApplyAsync(NpgsqlDataSource dataSource, IReadOnlyList<(string Name, string Sql)> migrations)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(migrations);
        await dataSource.ExecuteAsync(
            """
            create schema if not exists ops;
            create table if not exists ops.schema_migration (name text primary key, checksum text not null, applied_at timestamptz not null default now());
            """);
        await using var connection = await dataSource.OpenConnectionAsync();
        foreach (var (name, sql) in migrations)
        {
            await using var transaction = await connection.BeginTransactionAsync();
            await using (var apply = new NpgsqlCommand(sql, connection, transaction))
            {
                await apply.ExecuteNonQueryAsync();
            }

            await using (var record = new NpgsqlCommand("insert into ops.schema_migration (name, checksum) values (@n, @c)", connection, transaction))
            {
                record.Parameters.AddWithValue("n", name);
                record.Parameters.AddWithValue("c", Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql))));
                await record.ExecuteNonQueryAsync();
            }

            await transaction.CommitAsync();
        }
    }
}

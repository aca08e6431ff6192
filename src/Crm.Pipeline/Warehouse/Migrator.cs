using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Crm.Pipeline.Warehouse;

/// <summary>
/// Applies the ordered SQL migrations embedded under <c>Warehouse/Migrations</c>. Each
/// migration runs in its own transaction and is recorded in <c>ops.schema_migration</c>
/// with its checksum; applying twice changes nothing. A session-level advisory lock keeps
/// several nodes starting at once from racing.
/// </summary>
public sealed class Migrator
{
    // An arbitrary constant that names "the Crm migration lock" among advisory locks.
    private const long MigrationLockKey = 0x43524D_4D4947; // "CRMMIG"

    private readonly NpgsqlDataSource _dataSource;

    /// <summary>Creates a migrator for the warehouse behind <paramref name="dataSource"/>.</summary>
    public Migrator(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    /// <summary>The migrations this build knows, in the order they apply.</summary>
    public static IReadOnlyList<string> KnownMigrations => SqlResource.Migrations().Select(m => m.Name).ToList();

    /// <summary>
    /// Applies every migration not yet recorded. Returns the names applied by this call.
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// A recorded migration's checksum differs from the embedded one: a shipped migration was edited.
    /// </exception>
    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken cancellationToken)
    {
        var applied = new List<string>();
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (var lockCommand = new NpgsqlCommand("select pg_advisory_lock(@k)", connection))
        {
            lockCommand.Parameters.AddWithValue("k", MigrationLockKey);
            await lockCommand.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            await using (var journal = new NpgsqlCommand(
                """
                create schema if not exists ops;
                create table if not exists ops.schema_migration (
                    name       text primary key,
                    checksum   text not null,
                    applied_at timestamptz not null default now());
                """, connection))
            {
                await journal.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            var recorded = new Dictionary<string, string>(StringComparer.Ordinal);
            await using (var read = new NpgsqlCommand("select name, checksum from ops.schema_migration", connection))
            await using (var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    recorded[reader.GetString(0)] = reader.GetString(1);
                }
            }

            foreach (var (name, sql) in SqlResource.Migrations())
            {
                var checksum = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql)));
                if (recorded.TryGetValue(name, out var existing))
                {
                    if (!string.Equals(existing, checksum, StringComparison.Ordinal))
                    {
                        throw new InvalidOperationException(
                            $"Migration {name} was applied with checksum {existing} but this build carries {checksum}. " +
                            "Shipped migrations must never be edited; add a new migration instead.");
                    }

                    continue;
                }

                await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await using (var apply = new NpgsqlCommand(sql, connection, transaction))
                {
                    apply.CommandTimeout = 0;
                    await apply.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                await using (var record = new NpgsqlCommand(
                    "insert into ops.schema_migration (name, checksum) values (@n, @c)", connection, transaction))
                {
                    record.Parameters.AddWithValue("n", name);
                    record.Parameters.AddWithValue("c", checksum);
                    await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                applied.Add(name);
            }
        }
        finally
        {
            await using var unlock = new NpgsqlCommand("select pg_advisory_unlock(@k)", connection);
            unlock.Parameters.AddWithValue("k", MigrationLockKey);
            await unlock.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
        }

        return applied;
    }

    /// <summary>Names of the migrations this build carries that the database has not recorded.</summary>
    public async Task<IReadOnlyList<string>> PendingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var recorded = new HashSet<string>(StringComparer.Ordinal);
        await using var command = new NpgsqlCommand(
            "select name from ops.schema_migration where to_regclass('ops.schema_migration') is not null", connection);
        try
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                recorded.Add(reader.GetString(0));
            }
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            // No journal yet: every migration is pending.
        }

        return KnownMigrations.Where(m => !recorded.Contains(m)).ToList();
    }
}

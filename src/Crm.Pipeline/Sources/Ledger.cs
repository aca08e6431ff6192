using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Crm.Pipeline.Sources;

/// <summary>
/// The ingest ledger (<c>ops.ingest_ledger</c>): one row per source unit, written in the
/// same transaction as the rows the unit loaded, so a unit is loaded exactly once.
/// </summary>
public static class Ledger
{
    /// <summary>
    /// Takes a transaction-scoped advisory lock on <paramref name="lockName"/>, so two nodes never
    /// load the same unit (or feed) at once. Released at commit or rollback.
    /// </summary>
    public static async Task LockAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string lockName, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("select pg_advisory_xact_lock(hashtextextended(@k, 0))", connection, transaction);
        command.Parameters.AddWithValue("k", lockName);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The ledger id of an earlier load of the same unit content, if any.</summary>
    public static async Task<long?> FindAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string source, string unitKeyPrefix, string checksum, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "select ledger_id from ops.ingest_ledger where source = @s and checksum = @c and unit_key like @p order by ledger_id limit 1",
            connection, transaction);
        command.Parameters.AddWithValue("s", source);
        command.Parameters.AddWithValue("c", checksum);
        command.Parameters.AddWithValue("p", unitKeyPrefix.Replace("%", "\\%", StringComparison.Ordinal) + "%");
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as long?;
    }

    /// <summary>Opens a ledger row for a unit inside <paramref name="transaction"/> and returns its id.</summary>
    public static async Task<long> OpenAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string source, string unitKey, string? unitPath,
        string? checksum, long? byteStart, long? byteEnd, Guid? runId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            insert into ops.ingest_ledger (source, unit_key, unit_path, checksum, byte_start, byte_end, run_id)
            values (@source, @key, @path, @checksum, @start, @end, @run) returning ledger_id
            """, connection, transaction);
        command.Parameters.AddWithValue("source", source);
        command.Parameters.AddWithValue("key", unitKey);
        command.Parameters.Add(new NpgsqlParameter("path", NpgsqlDbType.Text) { Value = (object?)unitPath ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("checksum", NpgsqlDbType.Text) { Value = (object?)checksum ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("start", NpgsqlDbType.Bigint) { Value = (object?)byteStart ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("end", NpgsqlDbType.Bigint) { Value = (object?)byteEnd ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("run", NpgsqlDbType.Uuid) { Value = (object?)runId ?? DBNull.Value });
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>Records the unit's final counts (and optional detail) before the caller commits.</summary>
    public static async Task CloseAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long ledgerId, IngestCounts counts,
        object? detail, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            update ops.ingest_ledger
               set read_count = @r, loaded_count = @l, quarantined_count = @q, duplicate_count = @d,
                   detail = @detail, loaded_at = now()
             where ledger_id = @id
            """, connection, transaction);
        command.Parameters.AddWithValue("r", counts.Read);
        command.Parameters.AddWithValue("l", counts.Loaded);
        command.Parameters.AddWithValue("q", counts.Quarantined);
        command.Parameters.AddWithValue("d", counts.Duplicate);
        command.Parameters.Add(new NpgsqlParameter("detail", NpgsqlDbType.Jsonb)
        {
            Value = detail is null ? DBNull.Value : JsonSerializer.Serialize(detail),
        });
        command.Parameters.AddWithValue("id", ledgerId);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}

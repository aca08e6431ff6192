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

    /// <summary>
    /// For each of <paramref name="checksums"/> loaded before under <paramref name="unitKeyPrefix"/>,
    /// the id of its earliest ledger row: one query for a whole batch of units.
    /// </summary>
    public static async Task<Dictionary<string, long>> FindManyAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string source, string unitKeyPrefix,
        IReadOnlyCollection<string> checksums, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(unitKeyPrefix);
        await using var command = new NpgsqlCommand(
            """
            select checksum, min(ledger_id) from ops.ingest_ledger
             where source = @s and checksum = any(@c) and unit_key like @p
             group by checksum
            """,
            connection, transaction);
        command.Parameters.AddWithValue("s", source);
        command.Parameters.Add(new NpgsqlParameter("c", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = checksums.ToArray() });
        command.Parameters.AddWithValue("p", unitKeyPrefix.Replace("%", "\\%", StringComparison.Ordinal) + "%");
        var found = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            found[reader.GetString(0)] = reader.GetInt64(1);
        }

        return found;
    }

    /// <summary>
    /// Opens one ledger row per unit inside <paramref name="transaction"/> with one statement and
    /// returns their ids in the order of <paramref name="units"/> (unit keys must be distinct).
    /// </summary>
    public static async Task<long[]> OpenManyAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string source,
        IReadOnlyList<(string UnitKey, string? UnitPath, string? Checksum, long? ByteStart, long? ByteEnd)> units,
        Guid? runId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(units);
        await using var command = new NpgsqlCommand(
            """
            insert into ops.ingest_ledger (source, unit_key, unit_path, checksum, byte_start, byte_end, run_id)
            select @source, u.k, u.p, u.c, u.s, u.e, @run
              from unnest(@keys, @paths, @checksums, @starts, @ends) with ordinality as u(k, p, c, s, e, n)
             order by u.n
            returning unit_key, ledger_id
            """, connection, transaction);
        command.Parameters.AddWithValue("source", source);
        command.Parameters.Add(new NpgsqlParameter("keys", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = units.Select(u => u.UnitKey).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("paths", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = units.Select(u => u.UnitPath).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("checksums", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = units.Select(u => u.Checksum).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("starts", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = units.Select(u => u.ByteStart).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("ends", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = units.Select(u => u.ByteEnd).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("run", NpgsqlDbType.Uuid) { Value = (object?)runId ?? DBNull.Value });
        var ids = new Dictionary<string, long>(units.Count, StringComparer.Ordinal);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                ids.Add(reader.GetString(0), reader.GetInt64(1));
            }
        }

        var result = new long[units.Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = ids[units[i].UnitKey];
        }

        return result;
    }

    /// <summary>Records each unit's final counts and detail with one statement, before the caller commits.</summary>
    public static async Task CloseManyAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<long> ledgerIds, IReadOnlyList<IngestCounts> counts,
        IReadOnlyList<object?> details, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ledgerIds);
        ArgumentNullException.ThrowIfNull(counts);
        ArgumentNullException.ThrowIfNull(details);
        if (ledgerIds.Count == 1)
        {
            await CloseAsync(connection, transaction, ledgerIds[0], counts[0], details[0], cancellationToken).ConfigureAwait(false);
            return;
        }

        await using var command = new NpgsqlCommand(
            """
            update ops.ingest_ledger l
               set read_count = u.r, loaded_count = u.l, quarantined_count = u.q, duplicate_count = u.d,
                   detail = u.detail::jsonb, loaded_at = now()
              from unnest(@ids, @r, @l, @q, @d, @detail) as u(id, r, l, q, d, detail)
             where l.ledger_id = u.id
            """, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = ledgerIds.ToArray() });
        command.Parameters.Add(new NpgsqlParameter("r", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = counts.Select(c => c.Read).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("l", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = counts.Select(c => c.Loaded).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("q", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = counts.Select(c => c.Quarantined).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("d", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = counts.Select(c => c.Duplicate).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("detail", NpgsqlDbType.Array | NpgsqlDbType.Text)
        {
            Value = details.Select(d => d is null ? null : JsonSerializer.Serialize(d)).ToArray(),
        });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}

using Crm.Pipeline.Warehouse;
using Npgsql;
using NpgsqlTypes;

namespace Crm.Pipeline.Sources;

/// <summary>Writes quarantine rows with binary COPY inside the caller's transaction.</summary>
public static class QuarantineWriter
{
    /// <summary>Copies <paramref name="rows"/> into <c>quarantine.record</c> for the given unit.</summary>
    public static async Task WriteAsync(
        NpgsqlConnection connection, string source, long ledgerId, string unitPath,
        IEnumerable<QuarantineRow> rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        await WriteAsync(connection, source, rows.Select(r => (ledgerId, unitPath, r)), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Copies rows of several units (each with its own ledger row and path) into
    /// <c>quarantine.record</c> with one COPY.
    /// </summary>
    public static async Task WriteAsync(
        NpgsqlConnection connection, string source, IEnumerable<(long LedgerId, string UnitPath, QuarantineRow Row)> rows,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(rows);
        await using var importer = await connection.BeginBinaryImportAsync(
            "copy quarantine.record (source, ledger_id, unit_path, line_number, byte_offset, reason, raw_text, raw_length) from stdin (format binary)",
            cancellationToken).ConfigureAwait(false);
        foreach (var (ledgerId, unitPath, row) in rows)
        {
            await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(source, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(ledgerId, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(unitPath, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await importer.ValueOrNullAsync(row.LineNumber, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
            await importer.ValueOrNullAsync(row.ByteOffset, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(row.Reason, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(row.RawText, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(row.RawLength, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
        }

        await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }
}

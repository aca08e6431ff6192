using Crm.Pipeline.Warehouse;
using Npgsql;
using NpgsqlTypes;

namespace Crm.Pipeline.Sources;

/// <summary>
/// "Re-process after a fix" (issue 10): after an admin fixed a feed's settings (a date format, a column),
/// the files whose rows were quarantined, for a source and optionally one reason, are released from the
/// ingest ledger so the source's next ingest reads them again. Order files and email files (.eml, mbox,
/// Maildir) can be released; web logs cannot (their hits are appended by offset, a re-read would
/// duplicate them) and IMAP ranges are not files.
/// </summary>
public sealed class QuarantineReprocessor
{
    /// <summary>The sources whose quarantined files can be re-read (their stage names).</summary>
    public static readonly IReadOnlyList<string> Sources = ["orders", "email"];

    private static readonly string Sql = SqlResource.Load("reprocess_release.sql");

    private readonly NpgsqlDataSource _dataSource;

    /// <summary>Creates the reprocessor on the warehouse.</summary>
    public QuarantineReprocessor(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    /// <summary>
    /// Releases the units of <paramref name="source"/> holding quarantined rows whose reason kind is
    /// <paramref name="reasonKind"/> (null: any reason) in one transaction. Then run the source's stage.
    /// </summary>
    /// <exception cref="ArgumentException">The source cannot be re-processed.</exception>
    public async Task<ReprocessResult> ReleaseAsync(string source, string? reasonKind, string requestedBy, CancellationToken cancellationToken)
    {
        if (!Sources.Contains(source))
        {
            throw new ArgumentException($"Quarantined rows of '{source}' cannot be re-processed; only {string.Join(", ", Sources)}.", nameof(source));
        }

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // Two admins pressing the button at once release each unit once.
        await using (var lockCommand = new NpgsqlCommand("select pg_advisory_xact_lock(hashtextextended(@k, 0))", connection, transaction))
        {
            lockCommand.Parameters.AddWithValue("k", "reprocess:" + source);
            await lockCommand.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        ReprocessResult result;
        await using (var command = new NpgsqlCommand(Sql, connection, transaction))
        {
            command.Parameters.AddWithValue("source", source);
            command.Parameters.Add(new NpgsqlParameter("kind", NpgsqlDbType.Text) { Value = (object?)reasonKind ?? DBNull.Value });
            command.Parameters.AddWithValue("by", requestedBy);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            result = new ReprocessResult(reader.GetFieldValue<string[]>(1), reader.GetInt64(0));
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }
}

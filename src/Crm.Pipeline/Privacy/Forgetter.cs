using System.Text.Json;
using System.Text.RegularExpressions;
using Crm.Pipeline.Warehouse;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Crm.Pipeline.Privacy;

/// <summary>
/// The right to be forgotten (issue 10): erases one person from staging, core, identity, ml,
/// quarantine and the report archive in one transaction, writes an audit row that never holds
/// the address in clear, and adds salted hashes of their identifiers to <c>ops.suppression</c>,
/// which every ingester consults so re-loading old files does not bring them back.
/// </summary>
public sealed partial class Forgetter
{
    private static readonly string CollectSql = SqlResource.Load("forget_collect.sql");
    private static readonly string EraseSql = SqlResource.Load("forget_erase.sql");

    private readonly NpgsqlDataSource _dataSource;
    private readonly ILogger _logger;

    /// <summary>Creates the forgetter on the warehouse.</summary>
    public Forgetter(NpgsqlDataSource dataSource, ILogger<Forgetter> logger)
    {
        _dataSource = dataSource;
        _logger = logger;
    }

    /// <summary>
    /// Erases the person and commits. Archived report files on disk (outbox <c>.html</c>, <c>.eml</c>) that
    /// name them are redacted or deleted after the commit.
    /// </summary>
    /// <exception cref="ArgumentException">Neither or both of email and customer id were given, or the address is blank.</exception>
    public async Task<ForgetResult> ForgetAsync(ForgetRequest request, string requestedBy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if ((request.Email is null) == (request.CustomerId is null))
        {
            throw new ArgumentException("Give either an email address or a customer id.", nameof(request));
        }

        if (request.Email is not null && string.IsNullOrWhiteSpace(request.Email))
        {
            throw new ArgumentException("The email address is blank.", nameof(request));
        }

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        // Ingesters hold this lock shared while they check and load a unit: none lands between the
        // erasure and the suppression list taking effect.
        await Suppression.LockExclusiveAsync(connection, transaction, cancellationToken).ConfigureAwait(false);

        await using (var collect = new NpgsqlCommand(CollectSql, connection, transaction) { CommandTimeout = 0 })
        {
            collect.Parameters.Add(new NpgsqlParameter("email", NpgsqlDbType.Text) { Value = (object?)request.Email ?? DBNull.Value });
            collect.Parameters.Add(new NpgsqlParameter("customer_id", NpgsqlDbType.Bigint) { Value = (object?)request.CustomerId ?? DBNull.Value });
            await collect.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var customers = new List<long>();
        await using (var list = new NpgsqlCommand("select customer_id from forget_customer order by 1", connection, transaction))
        await using (var reader = await list.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                customers.Add(reader.GetInt64(0));
            }
        }

        if (request.CustomerId is { } id && customers.Count == 0)
        {
            throw new ArgumentException($"No customer with id {id}.", nameof(request));
        }

        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        await using (var erase = new NpgsqlCommand(EraseSql, connection, transaction) { CommandTimeout = 0 })
        await using (var reader = await erase.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            do
            {
                if (reader.FieldCount == 2 && reader.GetName(0) == "tbl")
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        counts[reader.GetString(0)] = reader.GetInt64(1);
                    }
                }
            }
            while (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false));
        }

        var files = new List<(string? HtmlPath, string? EmlPath, string? Html)>();
        await using (var redacted = new NpgsqlCommand("select html_path, eml_path, html from forget_redacted", connection, transaction))
        await using (var reader = await redacted.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                files.Add((reader.IsDBNull(0) ? null : reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2)));
            }
        }

        int identifiers;
        await using (var hashes = new NpgsqlCommand("select count(*)::int from forget_hash", connection, transaction))
        {
            identifiers = (int)(await hashes.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }

        long forgetId;
        await using (var audit = new NpgsqlCommand(
            """
            insert into ops.forget_audit (requested_by, subject_kind, subject_hash, customers, identifiers, counts)
            values (@by, @kind, ops.suppression_hash(@kind, @subject), @customers, @identifiers, @counts)
            returning forget_id
            """, connection, transaction))
        {
            audit.Parameters.AddWithValue("by", requestedBy);
            audit.Parameters.AddWithValue("kind", request.SubjectKind);
            audit.Parameters.AddWithValue("subject", request.Email is { } e ? e.Trim().ToLowerInvariant() : request.CustomerId!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
            audit.Parameters.AddWithValue("customers", customers.ToArray());
            audit.Parameters.AddWithValue("identifiers", identifiers);
            audit.Parameters.Add(new NpgsqlParameter("counts", NpgsqlDbType.Jsonb) { Value = JsonSerializer.Serialize(counts) });
            forgetId = (long)(await audit.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }

        await using (var link = new NpgsqlCommand(
            "update ops.suppression set forget_id = @id where forget_id is null and hash in (select hash from forget_hash)", connection, transaction))
        {
            link.Parameters.AddWithValue("id", forgetId);
            await link.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        RedactFiles(files);
        Log.Forgot(_logger, forgetId, customers.Count, identifiers, counts.Values.Sum());
        return new ForgetResult(forgetId, customers, identifiers, counts);
    }

    /// <summary>The outbox copies of redacted deliveries: the HTML is replaced by the redacted text, the raw message deleted.</summary>
    private void RedactFiles(List<(string? HtmlPath, string? EmlPath, string? Html)> files)
    {
        foreach (var (htmlPath, emlPath, html) in files)
        {
            try
            {
                if (htmlPath is not null && File.Exists(htmlPath))
                {
                    File.WriteAllText(htmlPath, html ?? "");
                }

                if (emlPath is not null && File.Exists(emlPath))
                {
                    File.Delete(emlPath);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The database is already clean; say which file an operator must remove by hand.
                Log.FileNotRedacted(_logger, htmlPath ?? emlPath ?? "", e.Message);
            }
        }
    }

    /// <summary>Whether a string looks like an email address (for the command line's choice of subject).</summary>
    public static bool LooksLikeEmail(string value) => EmailShape().IsMatch(value);

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+$")]
    private static partial Regex EmailShape();

    private static partial class Log
    {
        [LoggerMessage(EventId = 6001, Level = LogLevel.Information, Message = "Forget {ForgetId}: erased {Customers} customer(s), suppressed {Identifiers} identifier(s), {Rows} row(s) erased or redacted")]
        public static partial void Forgot(ILogger logger, long forgetId, int customers, int identifiers, long rows);

        [LoggerMessage(EventId = 6002, Level = LogLevel.Error, Message = "Forget: could not redact the archived report file {File}: {Reason}; remove it by hand")]
        public static partial void FileNotRedacted(ILogger logger, string file, string reason);
    }
}

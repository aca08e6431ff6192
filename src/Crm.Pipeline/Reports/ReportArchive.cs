using Crm.Pipeline.Warehouse;
using Microsoft.Extensions.Options;
using MimeKit;
using Npgsql;

namespace Crm.Pipeline.Reports;

/// <summary>
/// Every sent report, kept in <c>ops.report_delivery</c> (HTML with its charts inline, and the message
/// as sent) so the dashboard can show it later; and the admin's explicit resend.
/// </summary>
public sealed class ReportArchive
{
    private static readonly string ListSql = SqlResource.Load("delivery_list.sql");
    private static readonly string ResendSql = SqlResource.Load("delivery_resend.sql");
    private static readonly string SentSql = SqlResource.Load("delivery_sent.sql");

    private readonly NpgsqlDataSource _dataSource;
    private readonly IOptionsMonitor<ReportsOptions> _options;

    /// <summary>Creates the archive over the warehouse.</summary>
    public ReportArchive(NpgsqlDataSource dataSource, IOptionsMonitor<ReportsOptions> options)
    {
        _dataSource = dataSource;
        _options = options;
    }

    /// <summary>The latest deliveries, newest first (sent, failed and pending).</summary>
    public async Task<IReadOnlyList<ReportDeliveryRecord>> ListAsync(int limit, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(ListSql);
        command.Parameters.AddWithValue("limit", limit);
        await using var r = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var list = new List<ReportDeliveryRecord>();
        static DateTimeOffset? Ts(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : new DateTimeOffset(DateTime.SpecifyKind(r.GetDateTime(i), DateTimeKind.Utc));
        static string? S(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(new ReportDeliveryRecord(
                r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), S(r, 4), r.GetString(5), r.GetInt32(6), r.GetString(7),
                S(r, 8), S(r, 9), Ts(r, 10), S(r, 11), r.IsDBNull(12) ? null : r.GetInt64(12), S(r, 13), S(r, 14), S(r, 15), Ts(r, 16)!.Value));
        }

        return list;
    }

    /// <summary>The archived HTML of a sent report (charts inline as data URIs), or null when there is none.</summary>
    public async Task<string?> GetHtmlAsync(long deliveryId, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("select html from ops.report_delivery where delivery_id = @id");
        command.Parameters.AddWithValue("id", deliveryId);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
    }

    /// <summary>The archived message exactly as sent (RFC 822 bytes), or null.</summary>
    public async Task<byte[]?> GetEmlAsync(long deliveryId, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("select eml from ops.report_delivery where delivery_id = @id");
        command.Parameters.AddWithValue("id", deliveryId);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as byte[];
    }

    /// <summary>
    /// Sends an archived report again, on an admin's explicit request: a new delivery row marked
    /// <c>resend_of</c> the original, the same content with a new Message-ID and an <c>X-Crm-Resend-Of</c> header.
    /// Returns the new delivery id.
    /// </summary>
    /// <exception cref="InvalidOperationException">The original does not exist or was never sent.</exception>
    public async Task<long> ResendAsync(long deliveryId, string requestedBy, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(requestedBy);
        var options = _options.CurrentValue;
        var node = $"{Environment.MachineName}:{Environment.ProcessId}:resend";
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        long newId;
        byte[] eml;
        string messageId;
        await using (var command = new NpgsqlCommand(ResendSql, connection))
        {
            command.Parameters.AddWithValue("original_id", deliveryId);
            command.Parameters.AddWithValue("requested_by", requestedBy);
            command.Parameters.AddWithValue("node", node);
            command.Parameters.AddWithValue("lease_seconds", options.ClaimLeaseMinutes * 60);
            command.Parameters.AddWithValue("message_id", $"resend.{Guid.NewGuid():N}@{Domain(options.Smtp.From)}");
            await using var r = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await r.ReadAsync(cancellationToken).ConfigureAwait(false) || r.IsDBNull(1))
            {
                throw new InvalidOperationException($"Report delivery {deliveryId} does not exist or was never sent; only a sent report can be resent.");
            }

            newId = r.GetInt64(0);
            eml = (byte[])r[1];
            messageId = r.GetString(2);
        }

        var message = await MimeMessage.LoadAsync(new MemoryStream(eml), cancellationToken).ConfigureAwait(false);
        var original = message.MessageId;
        message.MessageId = messageId;
        message.Headers.Replace("X-Crm-Resend-Of", "<" + original + ">");
        message.Date = DateTimeOffset.UtcNow;
        var html = message.HtmlBody ?? "";
        IReportTransport transport = string.IsNullOrWhiteSpace(options.Smtp.Host)
            ? new OutboxReportTransport(options.Outbox)
            : new SmtpReportTransport(options.Smtp);
        await using (var attempt = new NpgsqlCommand("update ops.report_delivery set attempts = attempts + 1 where delivery_id = @id", connection))
        {
            attempt.Parameters.AddWithValue("id", newId);
            await attempt.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            var files = await transport.SendAsync(message, html, $"resend-{newId}", cancellationToken).ConfigureAwait(false);
            using var bytes = new MemoryStream();
            await message.WriteToAsync(bytes, cancellationToken).ConfigureAwait(false);
            await using var sent = new NpgsqlCommand(SentSql, connection);
            sent.Parameters.AddWithValue("delivery_id", newId);
            sent.Parameters.AddWithValue("transport", transport.Name);
            sent.Parameters.AddWithValue("subject", message.Subject ?? "");
            await using (var h = new NpgsqlCommand("select html from ops.report_delivery where delivery_id = @id", connection))
            {
                h.Parameters.AddWithValue("id", deliveryId);
                sent.Parameters.AddWithValue("html", await h.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) ?? DBNull.Value);
            }

            sent.Parameters.AddWithValue("eml", bytes.ToArray());
            sent.Parameters.AddWithValue("eml_path", (object?)files.EmlPath ?? DBNull.Value);
            sent.Parameters.AddWithValue("html_path", (object?)files.HtmlPath ?? DBNull.Value);
            await sent.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await ReportService.MarkFailedAsync(connection, newId, e is PermanentDeliveryException ? "permanent-failure" : "failed", e.Message, transport.Name, 0, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        return newId;
    }

    private static string Domain(string from)
    {
        var at = from.LastIndexOf('@');
        return at >= 0 && at < from.Length - 1 ? from[(at + 1)..] : "crm.local";
    }
}

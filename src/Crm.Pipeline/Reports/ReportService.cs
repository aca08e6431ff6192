using System.Globalization;
using Crm.Pipeline.Warehouse;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Crm.Pipeline.Reports;

/// <summary>
/// Sends every manager the report that is due and not yet delivered, exactly once per (report, period,
/// recipient). Run it as often as you like (the <c>reports</c> stage runs hourly): it works out each
/// recipient's latest due period in their time zone, claims the delivery row in <c>ops.report_delivery</c>
/// before sending (so parallel nodes and restarts send once), retries with back-off, and records
/// permanent failures instead of retrying them forever.
/// </summary>
/// <remarks>
/// The one window SMTP cannot close: a node that dies after the server accepted the message but before
/// the row says "sent" leaves a claim that expires after <see cref="ReportsOptions.ClaimLeaseMinutes"/>;
/// the retry then sends the same message again with the same Message-ID, which receiving systems can
/// use to drop the duplicate.
/// </remarks>
public sealed partial class ReportService
{
    private static readonly string EnsureSql = SqlResource.Load("delivery_ensure.sql");
    private static readonly string ClaimSql = SqlResource.Load("delivery_claim.sql");
    private static readonly string AttemptSql = SqlResource.Load("delivery_attempt.sql");
    private static readonly string SentSql = SqlResource.Load("delivery_sent.sql");
    private static readonly string FailedSql = SqlResource.Load("delivery_failed.sql");

    private readonly NpgsqlDataSource _dataSource;
    private readonly IOptionsMonitor<ReportsOptions> _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    /// <summary>Creates the service. Each instance is one "node" for claiming deliveries.</summary>
    public ReportService(NpgsqlDataSource dataSource, IOptionsMonitor<ReportsOptions> options, ILogger<ReportService> logger, TimeProvider? time = null)
    {
        _dataSource = dataSource;
        _options = options;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        NodeId = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";
    }

    /// <summary>This instance's name in <c>ops.report_delivery.claimed_by</c>.</summary>
    public string NodeId { get; }

    /// <summary>
    /// Sends whatever is due now (or as of <see cref="ReportsOptions.AsOf"/> when set) and returns, per
    /// recipient, sent / skipped (why) / failed. Failed deliveries are retried by a later run.
    /// </summary>
    /// <exception cref="AggregateException">Reading the warehouse or composing failed for some recipient (the others were still handled).</exception>
    public async Task<ReportRunSummary> RunAsync(CancellationToken cancellationToken)
    {
        var options = _options.CurrentValue;
        var realNow = _time.GetUtcNow();
        var now = options.AsOf ?? realNow;
        var schedule = new ReportSchedule(options.Calendar);
        IReportTransport transport = string.IsNullOrWhiteSpace(options.Smtp.Host)
            ? new OutboxReportTransport(options.Outbox)
            : new SmtpReportTransport(options.Smtp);
        var queries = new ReportQueries(_dataSource, options);
        var outcomes = new List<RecipientOutcome>(options.Recipients.Count);
        var errors = new List<Exception>();
        foreach (var recipient in options.Recipients)
        {
            cancellationToken.ThrowIfCancellationRequested();
            RecipientOutcome outcome;
            try
            {
                outcome = await DeliverAsync(recipient, options, schedule, queries, transport, recipient.AsOf ?? now, realNow, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                errors.Add(new InvalidOperationException($"Report for {recipient.Address} failed: {e.Message}", e));
                outcome = new RecipientOutcome(recipient.Address, null, "failed", e.Message, null, null, null);
            }

            switch (outcome.Status)
            {
                case "sent":
                    Log.Sent(_logger, outcome.Recipient, outcome.PeriodKey, transport.Name, outcome.Reason);
                    break;
                case "skipped":
                    Log.Skipped(_logger, outcome.Recipient, outcome.PeriodKey, outcome.Reason);
                    break;
                default:
                    Log.Failed(_logger, outcome.Recipient, outcome.PeriodKey, outcome.Reason);
                    break;
            }

            outcomes.Add(outcome);
        }

        var summary = new ReportRunSummary(outcomes);
        if (errors.Count > 0)
        {
            throw new AggregateException($"Reports: {summary}.", errors);
        }

        return summary;
    }

    private async Task<RecipientOutcome> DeliverAsync(
        RecipientOptions recipient, ReportsOptions options, ReportSchedule schedule, ReportQueries queries, IReportTransport transport,
        DateTimeOffset now, DateTimeOffset realNow, CancellationToken cancellationToken)
    {
        var address = recipient.Address.Trim().ToLowerInvariant();
        var period = schedule.LatestDue(recipient, now);
        var messageId = ReportComposer.MessageId(options.ReportName, period.Key, address, options.Smtp.From);
        RecipientOutcome Outcome(string status, string reason, long? id, DeliveredFiles? files = null) =>
            new(address, period.Key, status, reason, id, files?.EmlPath, files?.HtmlPath);

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        long deliveryId;
        await using (var ensure = new NpgsqlCommand(EnsureSql, connection))
        {
            ensure.Parameters.AddWithValue("report", options.ReportName);
            ensure.Parameters.AddWithValue("period_key", period.Key);
            ensure.Parameters.AddWithValue("period_start", period.Start);
            ensure.Parameters.AddWithValue("period_end", period.End);
            ensure.Parameters.AddWithValue("recipient", address);
            ensure.Parameters.AddWithValue("recipient_name", recipient.Name);
            ensure.Parameters.AddWithValue("language", recipient.Language);
            ensure.Parameters.AddWithValue("message_id", messageId);
            ensure.Parameters.AddWithValue("due_at", period.DueUtc.UtcDateTime);
            await using var reader = await ensure.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            deliveryId = reader.GetInt64(0);
            var status = reader.GetString(1);
            if (status == "sent")
            {
                // Point at the files of the earlier send, so `crm demo` run twice still shows where its report is.
                var earlier = new DeliveredFiles(reader.IsDBNull(7) ? null : reader.GetString(7), reader.IsDBNull(8) ? null : reader.GetString(8));
                return Outcome("skipped", "already sent at " + reader.GetDateTime(3).ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture), deliveryId, earlier);
            }

            if (status == "permanent-failure")
            {
                return Outcome("skipped", "permanent failure, not retried: " + (reader.IsDBNull(4) ? "" : reader.GetString(4)), deliveryId);
            }
        }

        await using (var claim = new NpgsqlCommand(ClaimSql, connection))
        {
            claim.Parameters.AddWithValue("delivery_id", deliveryId);
            claim.Parameters.AddWithValue("node", NodeId);
            claim.Parameters.AddWithValue("lease_seconds", options.ClaimLeaseMinutes * 60);
            if (await claim.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is null)
            {
                return Outcome("skipped", await WhyNotClaimableAsync(connection, deliveryId, cancellationToken).ConfigureAwait(false), deliveryId);
            }
        }

        ComposedReport composed;
        try
        {
            var data = await queries.ReadAsync(recipient, period, now, realNow, cancellationToken).ConfigureAwait(false);
            composed = ReportComposer.Compose(data, options, messageId);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await MarkFailedAsync(connection, deliveryId, "failed", "composing the report failed: " + e.Message, transport.Name, 60, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        var stem = FileStem(options.ReportName, period, address);
        Exception? last = null;
        for (var attempt = 1; attempt <= Math.Max(1, options.AttemptsPerRun); attempt++)
        {
            int attempts;
            await using (var count = new NpgsqlCommand(AttemptSql, connection))
            {
                count.Parameters.AddWithValue("delivery_id", deliveryId);
                count.Parameters.AddWithValue("node", NodeId);
                count.Parameters.AddWithValue("subject", composed.Subject);
                attempts = (int)(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false)
                    ?? throw new InvalidOperationException($"Delivery {deliveryId} is no longer claimed by {NodeId}."));
            }

            try
            {
                var files = await transport.SendAsync(composed.Message, composed.ArchiveHtml, stem, cancellationToken).ConfigureAwait(false);
                await MarkSentAsync(connection, deliveryId, transport.Name, composed, files, cancellationToken).ConfigureAwait(false);
                return Outcome("sent", files.HtmlPath ?? $"via {transport.Name}, attempt {attempts}", deliveryId, files);
            }
            catch (PermanentDeliveryException e)
            {
                await MarkFailedAsync(connection, deliveryId, "permanent-failure", e.Message, transport.Name, 0, CancellationToken.None).ConfigureAwait(false);
                return Outcome("failed", "permanent: " + e.Message, deliveryId);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                last = e;
                Log.AttemptFailed(_logger, address, period.Key, attempts, e.Message);
                if (attempts >= options.MaxAttempts)
                {
                    await MarkFailedAsync(connection, deliveryId, "permanent-failure", $"gave up after {attempts} attempts: {e.Message}", transport.Name, 0, CancellationToken.None).ConfigureAwait(false);
                    return Outcome("failed", $"permanent: gave up after {attempts} attempts: {e.Message}", deliveryId);
                }

                if (attempt < options.AttemptsPerRun)
                {
                    await Task.Delay(TimeSpan.FromSeconds(options.RetryDelaySeconds * Math.Pow(2, attempt - 1)), _time, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        var backoff = Math.Min(4 * 3600, options.NextRunBackoffMinutes * 60 * Math.Pow(2, Math.Max(0, options.AttemptsPerRun - 1)));
        await MarkFailedAsync(connection, deliveryId, "failed", last?.Message ?? "unknown error", transport.Name, backoff, CancellationToken.None).ConfigureAwait(false);
        return Outcome("failed", $"will retry in {backoff / 60:0.#} min: {last?.Message}", deliveryId);
    }

    internal static string FileStem(string report, ReportPeriod period, string address)
    {
        var safe = new string(address.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' ? c : '_').ToArray());
        return string.Create(CultureInfo.InvariantCulture, $"{period.Start:yyyyMMdd}-{report}-{period.Cadence}-{safe}");
    }

    private static async Task<string> WhyNotClaimableAsync(NpgsqlConnection connection, long deliveryId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "select status, claimed_by, claimed_until > now(), next_attempt_at, error from ops.report_delivery where delivery_id = @id", connection);
        command.Parameters.AddWithValue("id", deliveryId);
        await using var r = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await r.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return "delivery row vanished";
        }

        var status = r.GetString(0);
        if (status == "sent")
        {
            return "already sent (by another node)";
        }

        if (!r.IsDBNull(2) && r.GetBoolean(2))
        {
            return "being sent by " + r.GetString(1);
        }

        return r.IsDBNull(3) ? status
            : $"waiting for retry at {r.GetDateTime(3).ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)} after: {(r.IsDBNull(4) ? "" : r.GetString(4))}";
    }

    private static async Task MarkSentAsync(NpgsqlConnection connection, long deliveryId, string transport, ComposedReport composed, DeliveredFiles files, CancellationToken cancellationToken)
    {
        using var eml = new MemoryStream();
        await composed.Message.WriteToAsync(eml, cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(SentSql, connection);
        command.Parameters.AddWithValue("delivery_id", deliveryId);
        command.Parameters.AddWithValue("transport", transport);
        command.Parameters.AddWithValue("subject", composed.Subject);
        command.Parameters.AddWithValue("html", composed.ArchiveHtml);
        command.Parameters.AddWithValue("eml", eml.ToArray());
        command.Parameters.Add(new NpgsqlParameter("eml_path", NpgsqlDbType.Text) { Value = (object?)files.EmlPath ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("html_path", NpgsqlDbType.Text) { Value = (object?)files.HtmlPath ?? DBNull.Value });
        // The message is out: record it even if the run is being cancelled.
        await command.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
    }

    internal static async Task MarkFailedAsync(NpgsqlConnection connection, long deliveryId, string status, string error, string transport, double backoffSeconds, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(FailedSql, connection);
        command.Parameters.AddWithValue("delivery_id", deliveryId);
        command.Parameters.AddWithValue("status", status);
        command.Parameters.AddWithValue("error", error.Length > 2000 ? error[..2000] : error);
        command.Parameters.AddWithValue("transport", transport);
        command.Parameters.AddWithValue("backoff_seconds", backoffSeconds);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 9001, Level = LogLevel.Information, Message = "Report to {Recipient} for {Period}: sent via {Transport} ({Detail})")]
        public static partial void Sent(ILogger logger, string recipient, string? period, string transport, string detail);

        [LoggerMessage(EventId = 9002, Level = LogLevel.Information, Message = "Report to {Recipient} for {Period}: skipped, {Reason}")]
        public static partial void Skipped(ILogger logger, string recipient, string? period, string reason);

        [LoggerMessage(EventId = 9003, Level = LogLevel.Warning, Message = "Report to {Recipient} for {Period}: failed, {Reason}")]
        public static partial void Failed(ILogger logger, string recipient, string? period, string reason);

        [LoggerMessage(EventId = 9004, Level = LogLevel.Warning, Message = "Report to {Recipient} for {Period}: attempt {Attempt} failed: {Error}")]
        public static partial void AttemptFailed(ILogger logger, string recipient, string period, int attempt, string error);
    }
}

using System.Text.Json;
using System.Text;
using Crm.Pipeline.Display;
using Crm.Pipeline.Jobs;
using Crm.Pipeline.Warehouse;
using MailKit.Net.Smtp;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using Npgsql;

namespace Crm.Pipeline.Notifications;

/// <summary>
/// Sends the messages that are due (<c>ops.notification</c>): each is claimed by this node under a lease first, so
/// with any number of nodes one sends it; a failed send waits out a doubling back-off and is tried again until
/// <see cref="NotificationsOptions.MaxAttempts"/>. Should a node die between a send and its record, the lease runs
/// out and the message goes again with the same Message-ID (a receiver may fold the two); that window is the only
/// way a message is repeated.
/// </summary>
public sealed partial class NotificationSender : IDisposable
{
    private const int LeaseSeconds = 300;
    private static readonly string ClaimSql = SqlResource.Load("notification_claim.sql");
    private static readonly string SentSql = SqlResource.Load("notification_sent.sql");
    private static readonly string FailedSql = SqlResource.Load("notification_failed.sql");

    private readonly NpgsqlDataSource _dataSource;
    private readonly NotificationsOptions _options;
    private readonly TimeZoneInfo _display;
    private readonly ILogger<NotificationSender> _logger;
    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>Created by the host.</summary>
    public NotificationSender(NpgsqlDataSource dataSource, IOptions<NotificationsOptions> options, IOptions<DisplayOptions> display, ILogger<NotificationSender> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(display);
        _dataSource = dataSource;
        _options = options.Value;
        _display = display.Value.Zone;
        _logger = logger;
    }

    /// <summary>This node's name in the claims.</summary>
    public string Node { get; set; } = PipelineRunRecorder.ThisProcess;

    /// <summary>Sends everything due now; returns how many went out. A failed send is recorded for its retry, never thrown.</summary>
    public async Task<int> SendDueAsync(CancellationToken cancellationToken)
    {
        var due = await ClaimAsync(cancellationToken).ConfigureAwait(false);
        var sent = 0;
        foreach (var message in due)
        {
            try
            {
                await SendAsync(message, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // The channel failed (server down, refused, timed out): the row keeps the reason and its retry time.
                var backoff = (int)Math.Min(3600, _options.RetrySeconds * Math.Pow(2, Math.Max(0, message.Attempts - 1)));
                await RecordAsync(FailedSql, message.NotificationId, OneLine(e), backoff, cancellationToken).ConfigureAwait(false);
                Log.SendFailed(_logger, message.Channel, message.IncidentKey, message.Attempts, _options.MaxAttempts, OneLine(e));
                continue;
            }

            await RecordAsync(SentSql, message.NotificationId, null, 0, CancellationToken.None).ConfigureAwait(false);
            Log.Sent(_logger, message.Event, message.IncidentKey, message.Channel);
            sent++;
        }

        return sent;
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    /// <summary>The subject line (also the first line of the webhook text).</summary>
    internal string Subject(NotificationMessage message) =>
        $"{_options.SubjectPrefix} {(message.IsResolve ? "Resolved: " : "")}{message.Title}".Trim();

    /// <summary>The plain-text body.</summary>
    internal string Body(NotificationMessage message)
    {
        var text = new StringBuilder();
        text.AppendLine(message.IsResolve ? "Resolved: " + message.Title : message.Title);
        text.AppendLine();
        if (message.Detail is { Length: > 0 })
        {
            text.AppendLine(message.Detail);
            text.AppendLine();
        }

        text.AppendLine("Opened:   " + DisplayTime.Format(message.OpenedAt, _display));
        if (message.ResolvedAt is { } resolved)
        {
            text.AppendLine("Resolved: " + DisplayTime.Format(resolved, _display));
        }

        text.AppendLine("Incident: " + message.IncidentKey + " #" + message.IncidentId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (!string.IsNullOrWhiteSpace(_options.DashboardUrl))
        {
            text.AppendLine("Dashboard: " + _options.DashboardUrl.TrimEnd('/') + "/hangfire/crm/runs");
        }

        return text.ToString();
    }

    private Task SendAsync(NotificationMessage message, CancellationToken cancellationToken)
    {
        if (message.Channel.StartsWith("email:", StringComparison.Ordinal))
        {
            return EmailAsync(message, message.Channel["email:".Length..], cancellationToken);
        }

        var name = message.Channel["webhook:".Length..];
        var hook = _options.Webhooks.FirstOrDefault(w => w.EffectiveName == name)
            ?? throw new InvalidOperationException($"webhook '{name}' is no longer in Crm:Notifications:Webhooks");
        return WebhookAsync(message, hook, cancellationToken);
    }

    private async Task EmailAsync(NotificationMessage message, string address, CancellationToken cancellationToken)
    {
        var smtp = _options.Smtp;
        var mail = new MimeMessage
        {
            Subject = Subject(message),
            // Stable per incident and event: a send repeated after a crash carries the same id.
            MessageId = $"crm-incident-{message.IncidentId}-{message.Event}@{Environment.MachineName.ToLowerInvariant()}",
            Body = new TextPart("plain") { Text = Body(message) },
        };
        mail.From.Add(new MailboxAddress(smtp.FromName, smtp.From));
        mail.To.Add(MailboxAddress.Parse(address));

        using var client = new SmtpClient { Timeout = smtp.TimeoutSeconds * 1000 };
        if (!smtp.ValidateCertificate)
        {
            // Only when an operator turned validation off for a lab server (Crm:Reports:Smtp:ValidateCertificate=false).
            client.ServerCertificateValidationCallback = (_, _, _, _) => true;
        }

        await client.ConnectAsync(smtp.Host!, smtp.Port, smtp.SocketOptions, cancellationToken).ConfigureAwait(false);
        if (!string.IsNullOrEmpty(smtp.User))
        {
            await client.AuthenticateAsync(smtp.User, smtp.Password ?? "", cancellationToken).ConfigureAwait(false);
        }

        await client.SendAsync(mail, cancellationToken).ConfigureAwait(false);
        await client.DisconnectAsync(true, cancellationToken).ConfigureAwait(false);
    }

    private async Task WebhookAsync(NotificationMessage message, WebhookOptions hook, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(hook.TimeoutSeconds));
        // Slack's incoming webhooks and Teams' connectors both show "text"; the rest is for receivers that want fields.
        var payload = new WebhookPayload(
            Subject(message) + "\n" + Body(message), message.IsResolve ? "resolved" : "open", message.IncidentKey, message.IncidentId,
            DisplayTime.Format(message.OpenedAt, TimeZoneInfo.Utc), message.ResolvedAt is { } r ? DisplayTime.Format(r, TimeZoneInfo.Utc) : null);
        try
        {
            // Buffered, so the POST carries a Content-Length: not every receiver takes a chunked body.
            using var request = new HttpRequestMessage(HttpMethod.Post, hook.Url)
            {
                Content = new StringContent(JsonSerializer.Serialize(payload, WebhookJson.Default.WebhookPayload), Encoding.UTF8, "application/json"),
            };
            // A fresh connection per message: HttpClient silently re-sends a request whose kept-alive connection broke
            // before the answer, and a receiver that had already taken the POST would show it twice. Webhooks are a few
            // a night, so the handshake costs nothing.
            request.Headers.ConnectionClose = true;
            using var response = await _http.SendAsync(request, timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new HttpRequestException($"webhook '{hook.EffectiveName}' answered {(int)response.StatusCode} {response.ReasonPhrase}");
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"webhook '{hook.EffectiveName}' did not answer within {hook.TimeoutSeconds} s (Crm:Notifications:Webhooks:…:TimeoutSeconds)");
        }
        catch (HttpRequestException e) when (e.StatusCode is null && !e.Message.StartsWith("webhook", StringComparison.Ordinal))
        {
            // HttpClient's message names the URL, which may hold the webhook's token: name the webhook instead.
            throw new HttpRequestException($"webhook '{hook.EffectiveName}' could not be reached: {e.HttpRequestError}", null, e.StatusCode);
        }
    }

    private async Task<List<NotificationMessage>> ClaimAsync(CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(ClaimSql);
        command.Parameters.AddWithValue("node", Node);
        command.Parameters.AddWithValue("lease_seconds", LeaseSeconds);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var claimed = new List<NotificationMessage>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            claimed.Add(new NotificationMessage(
                reader.GetInt64(reader.GetOrdinal("notification_id")),
                reader.GetInt64(reader.GetOrdinal("incident_id")),
                reader.GetString(reader.GetOrdinal("event")),
                reader.GetString(reader.GetOrdinal("channel")),
                reader.GetInt32(reader.GetOrdinal("attempts")),
                reader.GetString(reader.GetOrdinal("incident_key")),
                reader.GetString(reader.GetOrdinal("title")),
                reader.IsDBNull(reader.GetOrdinal("detail")) ? null : reader.GetString(reader.GetOrdinal("detail")),
                reader.GetDateTime(reader.GetOrdinal("opened_at")),
                reader.IsDBNull(reader.GetOrdinal("resolved_at")) ? null : reader.GetDateTime(reader.GetOrdinal("resolved_at"))));
        }

        // Oldest first, so an opening goes before its resolve.
        claimed.Sort((a, b) => a.NotificationId.CompareTo(b.NotificationId));
        return claimed;
    }

    private async Task RecordAsync(string sql, long id, string? error, int backoffSeconds, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(sql);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("node", Node);
        if (sql == FailedSql)
        {
            command.Parameters.AddWithValue("error", error ?? "");
            command.Parameters.AddWithValue("backoff_seconds", backoffSeconds);
            command.Parameters.AddWithValue("max_attempts", _options.MaxAttempts);
        }

        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static string OneLine(Exception e) => e.Message.ReplaceLineEndings(" ");

    private static partial class Log
    {
        [LoggerMessage(EventId = 1901, Level = LogLevel.Information, Message = "Notification ({Event}) of incident {IncidentKey} sent to {Channel}")]
        public static partial void Sent(ILogger logger, string @event, string incidentKey, string channel);

        [LoggerMessage(EventId = 1902, Level = LogLevel.Warning, Message = "Notification of incident {IncidentKey} to {Channel} failed (attempt {Attempt} of {MaxAttempts}): {Reason}")]
        public static partial void SendFailed(ILogger logger, string channel, string incidentKey, int attempt, int maxAttempts, string reason);
    }
}

using Crm.Pipeline.Warehouse;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Crm.Pipeline.Notifications;

/// <summary>
/// The service's watch (<c>crm serve</c>, every node): every <see cref="NotificationsOptions.CheckSeconds"/> it judges
/// the conditions (<see cref="IncidentBook"/>) and sends what is due (<see cref="NotificationSender"/>). It runs beside
/// the Hangfire workers, never inside a job, so a mail server or webhook that hangs or fails never holds up a stage.
/// Does nothing while no address and no webhook is configured.
/// </summary>
public sealed partial class NotificationWatcher : BackgroundService
{
    private readonly IncidentBook _book;
    private readonly NotificationSender _sender;
    private readonly NotificationsOptions _options;
    private readonly ILogger<NotificationWatcher> _logger;

    /// <summary>Created by the host.</summary>
    public NotificationWatcher(IncidentBook book, NotificationSender sender, IOptions<NotificationsOptions> options, ILogger<NotificationWatcher> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _book = book;
        _sender = sender;
        _options = options.Value;
        _logger = logger;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            return;
        }

        Log.Watching(_logger, _book.Channels.Count, _options.CheckSeconds);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(_options.CheckSeconds));
        do
        {
            try
            {
                await _book.CheckAsync(stoppingToken).ConfigureAwait(false);
                await _sender.SendDueAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (WarehouseFaults.IsConnectionLoss(e) && !stoppingToken.IsCancellationRequested)
            {
                Log.WarehouseAway(_logger, WarehouseFaults.Reason(e));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A bug here must not stop the worker node that runs the pipeline: say so loudly and look again next time.
                Log.CheckFailed(_logger, e);
            }
        }
        while (await WaitAsync(timer, stoppingToken).ConfigureAwait(false));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1911, Level = LogLevel.Information, Message = "Watching for incidents every {CheckSeconds} s; {Channels} channels to tell")]
        public static partial void Watching(ILogger logger, int channels, int checkSeconds);

        [LoggerMessage(EventId = 1912, Level = LogLevel.Warning, Message = "Could not look for incidents: {Reason}; trying again later")]
        public static partial void WarehouseAway(ILogger logger, string reason);

        [LoggerMessage(EventId = 1913, Level = LogLevel.Error, Message = "Looking for incidents failed; trying again later")]
        public static partial void CheckFailed(ILogger logger, Exception exception);
    }
}

using Crm.Pipeline.Jobs;
using Crm.Pipeline.Warehouse;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Crm.Worker.Scheduling;

/// <summary>
/// Marks runs and stages abandoned whose owner died (<see cref="PipelineRunRecorder.MarkAbandonedAsync"/>): once when
/// the service starts, then every few heartbeats while it runs, so a warehouse that restarted with the machine
/// is cleaned up as soon as the dead owners' heartbeats are provably stale. Any number of nodes may do this at once.
/// </summary>
public sealed partial class AbandonedRunSweep : BackgroundService
{
    private readonly PipelineRunRecorder _recorder;
    private readonly TimeSpan _interval;
    private readonly ILogger<AbandonedRunSweep> _logger;

    /// <summary>Created by the host.</summary>
    public AbandonedRunSweep(PipelineRunRecorder recorder, IOptions<RunLeaseOptions> options, ILogger<AbandonedRunSweep> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _recorder = recorder;
        _interval = TimeSpan.FromSeconds(Math.Max(5, options.Value.HeartbeatSeconds * 4));
        _logger = logger;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_interval);
        do
        {
            try
            {
                await _recorder.MarkAbandonedAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (WarehouseFaults.IsConnectionLoss(e) && !stoppingToken.IsCancellationRequested)
            {
                Log.SweepFailed(_logger, WarehouseFaults.Reason(e));
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
        [LoggerMessage(EventId = 2011, Level = LogLevel.Warning, Message = "Could not look for abandoned runs: {Reason}; trying again later")]
        public static partial void SweepFailed(ILogger logger, string reason);
    }
}

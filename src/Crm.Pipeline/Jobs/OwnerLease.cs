using Crm.Pipeline.Warehouse;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Crm.Pipeline.Jobs;

/// <summary>
/// Proof that the owner of a running run or stage is alive: a session advisory lock, plus a heartbeat
/// written on the lock's own session every <see cref="RunLeaseOptions.HeartbeatSeconds"/>. A process that
/// dies loses the lock with its session and stops the heartbeat; <see cref="PipelineRunRecorder.MarkAbandonedAsync"/>
/// then sees both and marks what it owned abandoned. When the warehouse restarts under a live owner, the
/// lock goes with the old session: the lease takes it again on a new session at the next heartbeat.
/// </summary>
public sealed partial class OwnerLease : IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _key;
    private readonly string _renewSql;
    private readonly Action<NpgsqlParameterCollection> _bind;
    private readonly TimeSpan _interval;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private SessionLock? _lock;
    private Task? _renewing;

    private OwnerLease(NpgsqlDataSource dataSource, string key, string renewSql, Action<NpgsqlParameterCollection> bind, TimeSpan interval, ILogger logger, SessionLock held)
    {
        _dataSource = dataSource;
        _key = key;
        _renewSql = renewSql;
        _bind = bind;
        _interval = interval;
        _logger = logger;
        _lock = held;
    }

    /// <summary>The advisory lock key (hashed with <c>hashtextextended</c>).</summary>
    public string Key => _key;

    /// <summary>
    /// Waits for the lock <paramref name="key"/> (another owner of the same thing holds it until it finishes or dies),
    /// runs <paramref name="renewSql"/> once on the lock's session, and keeps renewing it until disposed.
    /// </summary>
    public static async Task<OwnerLease> AcquireAsync(
        NpgsqlDataSource dataSource, string key, string renewSql, Action<NpgsqlParameterCollection> bind, TimeSpan interval, ILogger logger,
        CancellationToken cancellationToken)
    {
        var held = await SessionLock.AcquireAsync(dataSource, key, cancellationToken).ConfigureAwait(false);
        var lease = new OwnerLease(dataSource, key, renewSql, bind, interval, logger, held);
        try
        {
            await lease.RenewOnAsync(held, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await lease.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        lease._renewing = Task.Run(() => lease.RenewLoopAsync(lease._stop.Token), CancellationToken.None);
        return lease;
    }

    /// <summary>Stops renewing and releases the lock.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_renewing is not null)
        {
            await _renewing.ConfigureAwait(false);
        }

        if (_lock is not null)
        {
            await _lock.DisposeAsync().ConfigureAwait(false);
            _lock = null;
        }

        _stop.Dispose();
    }

    private async Task RenewLoopAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(_interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                await RenewAsync(stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Disposed: the owner is done.
        }
    }

    private async Task RenewAsync(CancellationToken stop)
    {
        try
        {
            if (_lock is null)
            {
                // The session that held the lock is gone (the server restarted, the connection broke): take it again.
                _lock = await SessionLock.TryAcquireAsync(_dataSource, _key, stop).ConfigureAwait(false);
                if (_lock is null)
                {
                    Log.LeaseHeldElsewhere(_logger, _key);
                    return;
                }

                Log.LeaseRetaken(_logger, _key);
            }

            await RenewOnAsync(_lock, stop).ConfigureAwait(false);
        }
        catch (Exception e) when (!stop.IsCancellationRequested)
        {
            // Whatever broke the beat (a dead session, a restarting server, a broken connection object), the loop must live
            // on: a lease that stops beating while its owner runs gets the run marked abandoned under it.
            Log.RenewFailed(_logger, _key, WarehouseFaults.Reason(e));
            if (_lock is not null)
            {
                await _lock.DisposeAsync().ConfigureAwait(false);
                _lock = null;
            }
        }
    }

    private async Task RenewOnAsync(SessionLock held, CancellationToken cancellationToken)
    {
        await using var renew = new NpgsqlCommand(_renewSql, held.Connection);
        _bind(renew.Parameters);
        await renew.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1021, Level = LogLevel.Warning, Message = "Heartbeat of {LeaseKey} failed ({Reason}); taking the lock again at the next heartbeat")]
        public static partial void RenewFailed(ILogger logger, string leaseKey, string reason);

        [LoggerMessage(EventId = 1022, Level = LogLevel.Information, Message = "Heartbeat of {LeaseKey} resumed on a new session")]
        public static partial void LeaseRetaken(ILogger logger, string leaseKey);

        [LoggerMessage(EventId = 1023, Level = LogLevel.Warning, Message = "Lock {LeaseKey} is held by another session; heartbeat not renewed")]
        public static partial void LeaseHeldElsewhere(ILogger logger, string leaseKey);
    }
}

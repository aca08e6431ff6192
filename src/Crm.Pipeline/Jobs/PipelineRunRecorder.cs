using System.Diagnostics;
using System.Text.Json;
using Crm.Pipeline.Warehouse;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Crm.Pipeline.Jobs;

/// <summary>
/// Records pipeline runs and their stages in <c>ops.pipeline_run</c> / <c>ops.pipeline_stage</c>. Every write
/// rides out a warehouse restart: on a lost connection it clears the pool and tries again for up to
/// <see cref="RunLeaseOptions.BookkeepingRetrySeconds"/>, so a stage that failed because the server went away
/// still gets its failure recorded once the server is back.
/// </summary>
public sealed partial class PipelineRunRecorder
{
    private static readonly string AbandonSql = SqlResource.Load("abandon_runs.sql");
    private static readonly string OpenAttemptSql = SqlResource.Load("stage_attempt_open.sql");
    private static readonly string FinishStageSql = SqlResource.Load("stage_finish.sql");

    private readonly NpgsqlDataSource _dataSource;
    private readonly RunLeaseOptions _options;
    private readonly ILogger _logger;

    /// <summary>Creates a recorder on the warehouse.</summary>
    public PipelineRunRecorder(NpgsqlDataSource dataSource, IOptions<RunLeaseOptions>? options = null, ILogger<PipelineRunRecorder>? logger = null)
    {
        _dataSource = dataSource;
        _options = options?.Value ?? new RunLeaseOptions();
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>This process, as the owner of what it runs: <c>host:pid</c>.</summary>
    public static string ThisProcess { get; } = $"{Environment.MachineName}:{Environment.ProcessId}";

    /// <summary>
    /// Starts a run, or returns the existing one with the same trigger key (a second firing of one schedule).
    /// The run has no owner of its own: the stage jobs of its chain run it.
    /// </summary>
    public async Task<(Guid RunId, bool Created)> StartRunAsync(string kind, string? triggerKey, CancellationToken cancellationToken)
    {
        var runId = Guid.NewGuid();
        var id = await InsertRunAsync(runId, kind, triggerKey, owner: null, cancellationToken).ConfigureAwait(false);
        return (id, id == runId);
    }

    /// <summary>
    /// Starts a run owned by this process (<c>crm run</c>, <c>crm demo</c>): the returned lease holds the run's lock and
    /// beats its heartbeat until disposed. Dispose it after <see cref="FinishRunAsync"/>; should the process die
    /// first, the next run or service start marks the run abandoned.
    /// </summary>
    public async Task<(Guid RunId, OwnerLease Lease)> StartOwnedRunAsync(string kind, string owner, CancellationToken cancellationToken)
    {
        var runId = Guid.NewGuid();
        await InsertRunAsync(runId, kind, null, owner, cancellationToken).ConfigureAwait(false);
        var lease = await WithRetryAsync(
            "take the run's lease",
            ct => OwnerLease.AcquireAsync(
                _dataSource, $"crm.run:{runId}",
                "update ops.pipeline_run set heartbeat_at = now(), status = 'running', abandoned_at = null, error = null where run_id = @id and status in ('running', 'abandoned')",
                p => p.AddWithValue("id", runId),
                TimeSpan.FromSeconds(_options.HeartbeatSeconds), _logger, ct),
            cancellationToken).ConfigureAwait(false);
        return (runId, lease);
    }

    /// <summary>Ensures a run row exists (a stage enqueued by hand carries a fresh run id).</summary>
    public Task EnsureRunAsync(Guid runId, string kind, CancellationToken cancellationToken) =>
        WithRetryAsync("record the run", async ct =>
        {
            await using var command = _dataSource.CreateCommand(
                "insert into ops.pipeline_run (run_id, kind) values (@id, @kind) on conflict (run_id) do nothing");
            command.Parameters.AddWithValue("id", runId);
            command.Parameters.AddWithValue("kind", kind);
            return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, cancellationToken);

    /// <summary>Marks a stage run inside its run's process as running (again, on a retry: one more attempt).</summary>
    public Task StartStageAsync(Guid runId, string stage, CancellationToken cancellationToken) =>
        WithRetryAsync("record the stage's start", async ct =>
        {
            await using var command = _dataSource.CreateCommand(
                """
                insert into ops.pipeline_stage as s (run_id, stage, owner) values (@id, @stage, @owner)
                on conflict (run_id, stage) do update
                    set status = 'running', started_at = now(), finished_at = null, error = null, abandoned_at = null,
                        owner = excluded.owner, attempts = s.attempts + 1;
                """ + OpenAttemptSql);
            command.Parameters.AddWithValue("id", runId);
            command.Parameters.AddWithValue("stage", stage);
            command.Parameters.AddWithValue("owner", ThisProcess);
            return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, cancellationToken);

    /// <summary>
    /// Claims <paramref name="stage"/> of <paramref name="runId"/> for Hangfire job <paramref name="jobId"/>:
    /// waits while another job runs the same stage of the same run (a session advisory lock, released
    /// when the claim is disposed or the process dies), then marks the stage running and keeps its heartbeat
    /// until the claim is disposed. Returns null, claiming nothing, when the stage already succeeded in this run
    /// under a different job, i.e. this job belongs to a duplicate chain of one firing. A job without an id
    /// (run in-process) always claims.
    /// </summary>
    public async Task<OwnerLease?> ClaimStageAsync(Guid runId, string stage, string? jobId, CancellationToken cancellationToken)
    {
        var owner = jobId is null ? ThisProcess : $"{ThisProcess} job {jobId}";
        var claim = await OwnerLease.AcquireAsync(
            _dataSource, $"crm.stage:{runId}:{stage}",
            """
            update ops.pipeline_stage set heartbeat_at = now(), status = 'running', abandoned_at = null, error = null
             where run_id = @id and stage = @stage and status in ('running', 'abandoned') and owner = @owner
            """,
            p =>
            {
                p.AddWithValue("id", runId);
                p.AddWithValue("stage", stage);
                p.AddWithValue("owner", owner);
            },
            TimeSpan.FromSeconds(_options.HeartbeatSeconds), _logger, cancellationToken).ConfigureAwait(false);
        try
        {
            await using var command = _dataSource.CreateCommand(
                """
                with done as (
                    select 1 from ops.pipeline_stage
                    where run_id = @id and stage = @stage and status = 'succeeded'
                      and @job is not null and hangfire_job_id is not null and hangfire_job_id <> @job)
                insert into ops.pipeline_stage as s (run_id, stage, hangfire_job_id, owner, heartbeat_at, heartbeat_seconds)
                select @id, @stage, @job, @owner, now(), @beat where not exists (select 1 from done)
                on conflict (run_id, stage) do update
                    set status = 'running', started_at = now(), finished_at = null, error = null, abandoned_at = null,
                        hangfire_job_id = excluded.hangfire_job_id, owner = excluded.owner,
                        heartbeat_at = now(), heartbeat_seconds = excluded.heartbeat_seconds, attempts = s.attempts + 1
                returning 1
                """);
            command.Parameters.AddWithValue("id", runId);
            command.Parameters.AddWithValue("stage", stage);
            command.Parameters.Add(new NpgsqlParameter("job", NpgsqlDbType.Text) { Value = (object?)jobId ?? DBNull.Value });
            command.Parameters.AddWithValue("owner", owner);
            command.Parameters.AddWithValue("beat", _options.HeartbeatSeconds);
            if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is null)
            {
                await claim.DisposeAsync().ConfigureAwait(false);
                return null;
            }

            await using var open = _dataSource.CreateCommand(OpenAttemptSql);
            open.Parameters.AddWithValue("id", runId);
            open.Parameters.AddWithValue("stage", stage);
            await open.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return claim;
        }
        catch
        {
            await claim.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Records the end of a stage's current attempt: its counts on success, the error on failure (the attempt is then
    /// credited with the units it committed). The stage's <c>rows_read</c> / <c>rows_written</c> become the sum over all
    /// its attempts in the run (<c>ops.pipeline_stage_attempt</c>), so a retry that skips what an earlier attempt loaded
    /// does not make those rows vanish from the record.
    /// </summary>
    /// <returns>The stage's counts over all its attempts; null when the stage has no row in the run.</returns>
    public Task<StageTotals?> FinishStageAsync(Guid runId, string stage, Jobs.StageResult? result, string? error, CancellationToken cancellationToken) =>
        WithRetryAsync("record the stage's end", async ct =>
        {
            await using var command = _dataSource.CreateCommand(FinishStageSql);
            command.Parameters.AddWithValue("id", runId);
            command.Parameters.AddWithValue("stage", stage);
            command.Parameters.AddWithValue("status", error is null ? "succeeded" : "failed");
            command.Parameters.Add(new NpgsqlParameter("read", NpgsqlDbType.Bigint) { Value = (object?)result?.RowsRead ?? DBNull.Value });
            command.Parameters.Add(new NpgsqlParameter("written", NpgsqlDbType.Bigint) { Value = (object?)result?.RowsWritten ?? DBNull.Value });
            command.Parameters.Add(new NpgsqlParameter("detail", NpgsqlDbType.Jsonb)
            {
                Value = result is null ? DBNull.Value : JsonSerializer.Serialize(new { summary = result.Summary }),
            });
            command.Parameters.Add(new NpgsqlParameter("error", NpgsqlDbType.Text) { Value = (object?)error ?? DBNull.Value });
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            // The first statement (the attempt) returns nothing; the second (the stage) its totals.
            do
            {
                if (reader.FieldCount == 3 && await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    return new StageTotals(
                        reader.IsDBNull(0) ? null : reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetInt64(1), reader.GetInt32(2));
                }
            }
            while (await reader.NextResultAsync(ct).ConfigureAwait(false));

            return (StageTotals?)null;
        }, cancellationToken);

    /// <summary>Records a run's end.</summary>
    public Task FinishRunAsync(Guid runId, string? error, CancellationToken cancellationToken) =>
        WithRetryAsync("record the run's end", async ct =>
        {
            await using var command = _dataSource.CreateCommand(
                "update ops.pipeline_run set status = @status, finished_at = now(), error = @error, abandoned_at = null where run_id = @id");
            command.Parameters.AddWithValue("id", runId);
            command.Parameters.AddWithValue("status", error is null ? "succeeded" : "failed");
            command.Parameters.Add(new NpgsqlParameter("error", NpgsqlDbType.Text) { Value = (object?)error ?? DBNull.Value });
            return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, cancellationToken);

    /// <summary>
    /// Marks <c>abandoned</c> (with the time it was found) every run and stage still <c>running</c> whose owner is
    /// gone: it holds no lock, and its heartbeat stopped three beats ago while the server was up (see
    /// <c>Ops/abandon_runs.sql</c>). Safe on any node at any time; a live owner is never marked. Returns the counts marked.
    /// </summary>
    public async Task<(long Runs, long Stages)> MarkAbandonedAsync(CancellationToken cancellationToken)
    {
        var (runs, stages) = await WithRetryAsync("mark abandoned runs", async ct =>
        {
            await using var command = _dataSource.CreateCommand(AbandonSql);
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await reader.ReadAsync(ct).ConfigureAwait(false);
            return (reader.GetInt64(0), reader.GetInt64(1));
        }, cancellationToken).ConfigureAwait(false);
        if (runs + stages > 0)
        {
            Log.MarkedAbandoned(_logger, runs, stages);
        }

        return (runs, stages);
    }

    /// <summary>
    /// Waits until the warehouse answers a query again, asking once a second, for at most <paramref name="within"/>.
    /// Returns whether it answered.
    /// </summary>
    public async Task<bool> WaitUntilReachableAsync(TimeSpan within, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await using var command = _dataSource.CreateCommand("select 1");
                await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (Exception e) when (WarehouseFaults.IsConnectionLoss(e))
            {
                _dataSource.Clear();
                if (clock.Elapsed >= within)
                {
                    return false;
                }

                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private Task<Guid> InsertRunAsync(Guid runId, string kind, string? triggerKey, string? owner, CancellationToken cancellationToken) =>
        // Retry-safe: the id is chosen once, so a retry after an insert whose reply was lost finds its own row.
        WithRetryAsync("record the run's start", async ct =>
        {
            await using var command = _dataSource.CreateCommand(
                """
                with ins as (
                    insert into ops.pipeline_run (run_id, kind, trigger_key, owner, heartbeat_at, heartbeat_seconds)
                    values (@id, @kind, @key, @owner, case when @owner::text is null then null else now() end, @beat)
                    on conflict do nothing
                    returning run_id)
                select run_id from ins
                union all
                select run_id from ops.pipeline_run
                 where not exists (select 1 from ins) and (run_id = @id or (@key::text is not null and trigger_key = @key))
                """);
            command.Parameters.AddWithValue("id", runId);
            command.Parameters.AddWithValue("kind", kind);
            command.Parameters.Add(new NpgsqlParameter("key", NpgsqlDbType.Text) { Value = (object?)triggerKey ?? DBNull.Value });
            command.Parameters.Add(new NpgsqlParameter("owner", NpgsqlDbType.Text) { Value = (object?)owner ?? DBNull.Value });
            command.Parameters.Add(new NpgsqlParameter("beat", NpgsqlDbType.Integer) { Value = owner is null ? DBNull.Value : _options.HeartbeatSeconds });
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            if (!await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                throw new InvalidOperationException($"Run {runId} was neither inserted nor found.");
            }

            return reader.GetGuid(0);
        }, cancellationToken);

    /// <summary>
    /// Runs one bookkeeping write; on a lost warehouse clears the pool (its idle connections died with the server)
    /// and tries again with growing pauses, for up to <see cref="RunLeaseOptions.BookkeepingRetrySeconds"/>.
    /// </summary>
    private async Task<T> WithRetryAsync<T>(string what, Func<CancellationToken, Task<T>> write, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var budget = TimeSpan.FromSeconds(_options.BookkeepingRetrySeconds);
        var pause = TimeSpan.FromMilliseconds(250);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await write(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (WarehouseFaults.IsConnectionLoss(e) && clock.Elapsed + pause < budget && !cancellationToken.IsCancellationRequested)
            {
                Log.BookkeepingRetry(_logger, what, attempt, WarehouseFaults.Reason(e));
                _dataSource.Clear();
                await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
                pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1031, Level = LogLevel.Warning, Message = "Could not {What} (attempt {Attempt}: {Reason}); trying again")]
        public static partial void BookkeepingRetry(ILogger logger, string what, int attempt, string reason);

        [LoggerMessage(EventId = 1032, Level = LogLevel.Warning, Message = "Marked {Runs} run(s) and {Stages} stage(s) abandoned: their owners stopped their heartbeat and hold no lock")]
        public static partial void MarkedAbandoned(ILogger logger, long runs, long stages);
    }
}

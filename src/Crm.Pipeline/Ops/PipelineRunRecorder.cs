using System.Text.Json;
using Crm.Pipeline.Warehouse;
using Npgsql;
using NpgsqlTypes;

namespace Crm.Pipeline.Ops;

/// <summary>Records pipeline runs and their stages in <c>ops.pipeline_run</c> / <c>ops.pipeline_stage</c>.</summary>
public sealed class PipelineRunRecorder
{
    private readonly NpgsqlDataSource _dataSource;

    /// <summary>Creates a recorder on the warehouse.</summary>
    public PipelineRunRecorder(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    /// <summary>Starts a run, or returns the existing one with the same trigger key (a second firing of one schedule).</summary>
    public async Task<(Guid RunId, bool Created)> StartRunAsync(string kind, string? triggerKey, CancellationToken cancellationToken)
    {
        var runId = Guid.NewGuid();
        await using var command = _dataSource.CreateCommand(
            """
            with ins as (
                insert into ops.pipeline_run (run_id, kind, trigger_key) values (@id, @kind, @key)
                on conflict (trigger_key) where trigger_key is not null do nothing
                returning run_id)
            select run_id, true from ins
            union all
            select run_id, false from ops.pipeline_run where trigger_key = @key and not exists (select 1 from ins)
            """);
        command.Parameters.AddWithValue("id", runId);
        command.Parameters.AddWithValue("kind", kind);
        command.Parameters.Add(new NpgsqlParameter("key", NpgsqlDbType.Text) { Value = (object?)triggerKey ?? DBNull.Value });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return (reader.GetGuid(0), reader.GetBoolean(1));
    }

    /// <summary>Ensures a run row exists (a stage enqueued by hand carries a fresh run id).</summary>
    public async Task EnsureRunAsync(Guid runId, string kind, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(
            "insert into ops.pipeline_run (run_id, kind) values (@id, @kind) on conflict (run_id) do nothing");
        command.Parameters.AddWithValue("id", runId);
        command.Parameters.AddWithValue("kind", kind);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Marks a stage as running (again, on a retry).</summary>
    public async Task StartStageAsync(Guid runId, string stage, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(
            """
            insert into ops.pipeline_stage (run_id, stage) values (@id, @stage)
            on conflict (run_id, stage) do update set status = 'running', started_at = now(), finished_at = null, error = null
            """);
        command.Parameters.AddWithValue("id", runId);
        command.Parameters.AddWithValue("stage", stage);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Claims <paramref name="stage"/> of <paramref name="runId"/> for Hangfire job <paramref name="jobId"/>:
    /// waits while another job runs the same stage of the same run (a session advisory lock, released
    /// when the claim is disposed or the process dies), then marks the stage running. Returns null,
    /// claiming nothing, when the stage already succeeded in this run under a different job, i.e. this
    /// job belongs to a duplicate chain of one firing. A job without an id (run in-process) always claims.
    /// </summary>
    public async Task<SessionLock?> ClaimStageAsync(Guid runId, string stage, string? jobId, CancellationToken cancellationToken)
    {
        var claim = await SessionLock.AcquireAsync(_dataSource, $"crm.stage:{runId}:{stage}", cancellationToken).ConfigureAwait(false);
        try
        {
            await using var command = new NpgsqlCommand(
                """
                with done as (
                    select 1 from ops.pipeline_stage
                    where run_id = @id and stage = @stage and status = 'succeeded'
                      and @job is not null and hangfire_job_id is not null and hangfire_job_id <> @job)
                insert into ops.pipeline_stage as s (run_id, stage, hangfire_job_id)
                select @id, @stage, @job where not exists (select 1 from done)
                on conflict (run_id, stage) do update
                    set status = 'running', started_at = now(), finished_at = null, error = null, hangfire_job_id = excluded.hangfire_job_id
                returning 1
                """, claim.Connection);
            command.Parameters.AddWithValue("id", runId);
            command.Parameters.AddWithValue("stage", stage);
            command.Parameters.Add(new NpgsqlParameter("job", NpgsqlDbType.Text) { Value = (object?)jobId ?? DBNull.Value });
            if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is null)
            {
                await claim.DisposeAsync().ConfigureAwait(false);
                return null;
            }

            return claim;
        }
        catch
        {
            await claim.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Records a stage's end: its counts on success, the error on failure.</summary>
    public async Task FinishStageAsync(Guid runId, string stage, Jobs.StageResult? result, string? error, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(
            """
            update ops.pipeline_stage
               set status = @status, finished_at = now(), rows_read = @read, rows_written = @written,
                   detail = @detail, error = @error
             where run_id = @id and stage = @stage
            """);
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
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Records a run's end.</summary>
    public async Task FinishRunAsync(Guid runId, string? error, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(
            "update ops.pipeline_run set status = @status, finished_at = now(), error = @error where run_id = @id");
        command.Parameters.AddWithValue("id", runId);
        command.Parameters.AddWithValue("status", error is null ? "succeeded" : "failed");
        command.Parameters.Add(new NpgsqlParameter("error", NpgsqlDbType.Text) { Value = (object?)error ?? DBNull.Value });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}

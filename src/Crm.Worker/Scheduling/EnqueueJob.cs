using Crm.Pipeline.Jobs;
using Hangfire;
using Microsoft.Extensions.Logging;
using Npgsql;
using Quartz;

namespace Crm.Worker.Scheduling;

/// <summary>
/// The only thing a Quartz firing does: enqueue the matching Hangfire work. The firing's key
/// (trigger + scheduled time) is claimed in <c>ops.job_enqueue</c> first, so a second firing of
/// the same occurrence (a misfire picked up by another node) enqueues nothing.
/// </summary>
[DisallowConcurrentExecution]
public sealed partial class EnqueueJob : IJob
{
    /// <summary>Job data key naming what to enqueue (<c>nightly</c> or a stage).</summary>
    public const string JobKey = "crm.job";

    private readonly NpgsqlDataSource _dataSource;
    private readonly IBackgroundJobClient _client;
    private readonly PipelineRunRecorder _recorder;
    private readonly PipelineRunner _runner;
    private readonly ILogger<EnqueueJob> _logger;

    /// <summary>Created by Quartz's DI job factory.</summary>
    public EnqueueJob(NpgsqlDataSource dataSource, IBackgroundJobClient client, PipelineRunRecorder recorder, PipelineRunner runner, ILogger<EnqueueJob> logger)
    {
        _dataSource = dataSource;
        _client = client;
        _recorder = recorder;
        _runner = runner;
        _logger = logger;
    }

    /// <inheritdoc />
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var job = context.MergedJobDataMap.GetString(JobKey) ?? "nightly";
        var scheduled = context.ScheduledFireTimeUtc ?? context.FireTimeUtc;
        var key = $"{context.Trigger.Key}@{scheduled.UtcDateTime:O}";

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var claim = new NpgsqlCommand(
            "insert into ops.job_enqueue (enqueue_key, job_name) values (@k, @j) on conflict do nothing", connection, transaction))
        {
            claim.Parameters.AddWithValue("k", key);
            claim.Parameters.AddWithValue("j", job);
            if (await claim.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                Log.AlreadyEnqueued(_logger, key);
                return;
            }
        }

        var (runId, _) = await _recorder.StartRunAsync(job == "nightly" ? "nightly" : "scheduled", key, cancellationToken).ConfigureAwait(false);
        var stages = job == "nightly" ? _runner.StageNames : [job];
        var first = NightlyChain.Enqueue(_client, runId, job == "nightly" ? "nightly" : "scheduled", stages);
        await using (var record = new NpgsqlCommand("update ops.job_enqueue set hangfire_id = @h where enqueue_key = @k", connection, transaction))
        {
            record.Parameters.AddWithValue("h", first);
            record.Parameters.AddWithValue("k", key);
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        // If we crash between the enqueue and this commit, the firing may be enqueued again on
        // recovery, with the same run (keyed by the firing): each stage job claims its stage of the
        // run first (PipelineRunRecorder.ClaimStageAsync), so the second chain skips what the first did.
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        Log.Enqueued(_logger, key, job, first);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Firing {EnqueueKey} enqueued {Job} as Hangfire job {HangfireId}")]
        public static partial void Enqueued(ILogger logger, string enqueueKey, string job, string hangfireId);

        [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Firing {EnqueueKey} was already enqueued; nothing to do")]
        public static partial void AlreadyEnqueued(ILogger logger, string enqueueKey);
    }
}

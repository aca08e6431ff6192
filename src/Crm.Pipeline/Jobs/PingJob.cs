using System.ComponentModel;
using Hangfire;
using Hangfire.Server;
using Npgsql;

namespace Crm.Pipeline.Jobs;

/// <summary>
/// The diagnostic job <c>ops.ping</c> (<c>crm ping</c>): does no work but write one row to
/// <c>ops.ping</c> naming the Hangfire server that ran it. Enqueue a batch to see that every worker
/// node takes jobs from the shared queue, and that each job runs once.
/// </summary>
public sealed class PingJob
{
    private readonly NpgsqlDataSource _dataSource;

    /// <summary>Created by Hangfire's activator from the service provider.</summary>
    public PingJob(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    /// <summary>
    /// Records this execution in <c>ops.ping</c> under <paramref name="batch"/>. Not retried: a ping that
    /// fails says what it has to say on the dashboard.
    /// </summary>
    /// <exception cref="ArgumentNullException">Hangfire did not pass a <paramref name="context"/>.</exception>
    [DisplayName("ops.ping {0}")]
    [AutomaticRetry(Attempts = 0)]
    public async Task RunAsync(string batch, PerformContext? context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var jobId = context.BackgroundJob.Id;
        // The Processing state Hangfire set just before running us names the server (node) that took the job.
        var server = context.Connection.GetStateData(jobId)?.Data is { } data && data.TryGetValue("ServerId", out var id) ? id : "unknown";
        await using var command = _dataSource.CreateCommand(
            "insert into ops.ping (batch, job_id, server_id, host, process_id) values (@batch, @job, @server, @host, @pid)");
        command.Parameters.AddWithValue("batch", batch);
        command.Parameters.AddWithValue("job", jobId);
        command.Parameters.AddWithValue("server", server);
        command.Parameters.AddWithValue("host", Environment.MachineName);
        command.Parameters.AddWithValue("pid", Environment.ProcessId);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}

using System.CommandLine;
using System.Globalization;
using Crm.Pipeline.Jobs;
using Crm.Worker.Hosting;
using Hangfire;
using Npgsql;

namespace Crm.Worker.Commands;

/// <summary>
/// <c>crm ping [--count N] [--wait SECONDS]</c>: enqueues N diagnostic <c>ops.ping</c> jobs for the running
/// service nodes and, with <c>--wait</c>, reports which node ran how many and whether any ran twice.
/// </summary>
internal static class PingCommand
{
    public static Command Create()
    {
        var count = new Option<int>("--count") { Description = "Ping jobs to enqueue (default 1)", DefaultValueFactory = _ => 1 };
        var wait = new Option<int>("--wait") { Description = "Wait up to this many seconds for the nodes to run them, then report per node (0: don't wait)" };
        var command = new Command("ping", "Enqueue diagnostic ops.ping jobs and see which service nodes run them") { count, wait };
        command.SetAction(async (parse, ct) =>
        {
            var n = parse.GetValue(count);
            if (n is < 1 or > 100_000)
            {
                await Console.Error.WriteLineAsync($"crm ping: --count must be between 1 and 100000; got {n}").ConfigureAwait(false);
                return 2;
            }

            await using var host = await CommandHost.StartAsync(parse.GetValue(CommonOptions.Config), ct).ConfigureAwait(false);
            var client = new BackgroundJobClient(HangfireSetup.CreateStorage(host.Warehouse.ConnectionString, host.Configuration));
            var batch = string.Create(CultureInfo.InvariantCulture, $"ping-{DateTime.UtcNow:yyyyMMddHHmmss}-{Guid.NewGuid().ToString("N")[..6]}");
            await Parallel.ForAsync(0, n, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, (_, _) =>
            {
                client.Enqueue<PingJob>(j => j.RunAsync(batch, null, CancellationToken.None));
                return ValueTask.CompletedTask;
            }).ConfigureAwait(false);
            Console.WriteLine($"enqueued {n} ping job(s), batch {batch}");

            var seconds = parse.GetValue(wait);
            if (seconds <= 0)
            {
                return 0;
            }

            var deadline = DateTime.UtcNow.AddSeconds(seconds);
            long done;
            while ((done = await CountAsync(host.DataSource, batch, ct).ConfigureAwait(false)) < n && DateTime.UtcNow < deadline)
            {
                await Task.Delay(500, ct).ConfigureAwait(false);
            }

            return await ReportAsync(host.DataSource, batch, n, done, ct).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<long> CountAsync(NpgsqlDataSource dataSource, string batch, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("select count(distinct job_id) from ops.ping where batch = @b");
        command.Parameters.AddWithValue("b", batch);
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private static async Task<int> ReportAsync(NpgsqlDataSource dataSource, string batch, int expected, long done, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            select server_id, count(*) as runs, count(distinct job_id) as jobs
            from ops.ping where batch = @b group by server_id order by server_id
            """);
        command.Parameters.AddWithValue("b", batch);
        long runs = 0;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                Console.WriteLine($"  {reader.GetString(0)}: {reader.GetInt64(1)} run(s)");
                runs += reader.GetInt64(1);
            }
        }

        Console.WriteLine($"{done} of {expected} ping job(s) ran, {runs - done} ran more than once");
        return done == expected && runs == done ? 0 : 1;
    }
}

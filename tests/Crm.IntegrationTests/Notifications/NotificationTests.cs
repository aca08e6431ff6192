using System.Globalization;
using System.Text.Json;
using Crm.IntegrationTests.Infrastructure;
using Crm.IntegrationTests.Operations;
using Crm.IntegrationTests.Reports;
using Crm.Worker.Hosting;
using MimeKit;
using Npgsql;
using Xunit.Abstractions;

namespace Crm.IntegrationTests.Notifications;

/// <summary>
/// Issue 19, notifications: real <c>crm serve</c> nodes, the aiosmtpd sink and a loopback webhook. Each incident
/// (a run that failed after its retries, an alert a stage raised, a nightly that missed its deadlines) reaches
/// each channel once, and its recovery once, with two nodes watching and across a restart.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class NotificationTests(PostgresCluster cluster, ITestOutputHelper log) : IDisposable
{
    private const string Admin = "admin@example.com";
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private readonly string _dir = Directory.CreateTempSubdirectory("crm-notify-").FullName;
    private readonly List<ServeNode> _nodes = [];

    public void Dispose()
    {
        foreach (var node in _nodes)
        {
            node.Dispose();
        }

        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task AFailedRun_AndAStageAlert_ReachEachChannelOnce_WithOneResolve_AcrossTwoNodesAndARestart()
    {
        var connectionString = await cluster.CreateMigratedConnectionStringAsync("notify");
        await using var ds = NpgsqlDataSource.Create(connectionString);
        await using var smtp = await SmtpSink.CreateAsync();
        // The chat service is briefly down: the first POST gets a 503 and must be retried.
        using var hook = new WebhookReceiver(refuseFirst: 1);
        var environment = Settings(smtp, hook, new()
        {
            ["Crm__Scheduler__Enabled"] = "false",
            ["Crm__Worker__RetryAttempts"] = "0",
            ["Crm__Display__TimeZone"] = "Europe/Berlin",
            // JSON lines, to check Hangfire's own line about the failed job carries its run id.
            ["Crm__Logging__Json"] = "true",
        });
        StartNode(connectionString, "node-a", environment);
        StartNode(connectionString, "node-b", environment);
        Assert.True(await Poll.UntilAtLeastAsync(ds, "select count(*) from hangfire.server", 2, TimeSpan.FromSeconds(60), AnyExited) == 2, Diagnostics());
        Phase("two nodes up");

        // A stage fails: a table it reads is gone (as after a botched restore), and no retry is configured.
        await ds.ExecuteAsync("alter table core.customer rename to customer_gone");
        await EnqueueAsync(connectionString, "features");
        await UntilAsync(() => smtp.Messages().Count >= 1 && hook.Accepted().Count >= 1, "the failure to be told", smtp, hook);
        Phase("failure told");
        var failure = smtp.Messages().Single();
        Assert.StartsWith("[Crm] The manual run failed: features: 42P01: relation \"core.customer\" does not exist", failure.Subject, StringComparison.Ordinal);
        Assert.Equal(Admin, failure.To.Mailboxes.Single().Address);
        // Times in the display zone, ISO 8601 with the offset: December in Berlin is +01:00.
        Assert.Matches(@"Opened:   \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+01:00", failure.TextBody);
        var opened = hook.Accepted().Single();
        Assert.StartsWith("[Crm] The manual run failed: features", opened.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal("open", opened.GetProperty("status").GetString());
        Assert.True(hook.Requests >= 2, $"the refused POST was not retried ({hook.Requests} requests)");
        // Hangfire's retry filter writes its own line when the job fails for good, after the job returned: it names
        // the failed run too, as the stage's lines do.
        await UntilAsync(() => HangfireFailureLines().Count >= 1, "Hangfire's line on the failed job", smtp, hook);
        var failedRun = await ds.ScalarAsync<string>("select run_id::text from ops.pipeline_run where status = 'failed'");
        Assert.All(HangfireFailureLines(), l => Assert.True(RunIdOf(l) == failedRun, $"no run {failedRun} on: {l}"));

        // Recovery: the table is back and the next run of that kind succeeds.
        await ds.ExecuteAsync("alter table core.customer_gone rename to customer");
        await EnqueueAsync(connectionString, "features");
        await UntilAsync(() => smtp.Messages().Count >= 2 && hook.Accepted().Count >= 2, "the recovery to be told", smtp, hook);
        Phase("recovery told");
        Assert.StartsWith("[Crm] Resolved: The manual run failed: features", smtp.Messages()[1].Subject, StringComparison.Ordinal);
        Assert.Equal("resolved", hook.Accepted()[1].GetProperty("status").GetString());

        // Restart: both nodes stop as systemd stops them, one comes back. A stage raises an alert (score with no
        // model yet); once that alert is told, the restarted node has judged everything, and nothing older came again.
        await Task.WhenAll(_nodes.Select(n => n.StopAsync()));
        Phase("nodes stopped");
        StartNode(connectionString, "node-a2", environment);
        await EnqueueAsync(connectionString, "score");
        await UntilAsync(() => smtp.Messages().Count >= 3 && hook.Accepted().Count >= 3, "the alert to be told", smtp, hook);
        Phase("alert told");

        var subjects = smtp.Messages().Select(m => m.Subject ?? "").ToList();
        Assert.Equal(3, subjects.Count);
        Assert.StartsWith("[Crm] Alert (warning) from stage score: No champion churn model yet", subjects[2], StringComparison.Ordinal);
        Assert.Equal(3, smtp.Messages().Select(m => m.MessageId).Distinct().Count());
        var texts = hook.Accepted().Select(b => b.GetProperty("text").GetString()!.Split('\n')[0]).ToList();
        Assert.Equal(subjects, texts);
        // A message reaches its channel before the sender records it as sent: wait for the records too.
        await Poll.UntilAtLeastAsync(ds, "select count(*) from ops.notification where status = 'sent'", 6, TimeSpan.FromSeconds(30));
        Assert.Equal("sent,sent,sent,sent,sent,sent", await ds.ScalarAsync<string>("select string_agg(status, ',' order by notification_id) from ops.notification"));
        Assert.Equal(1L, await ds.ScalarAsync<long>("select count(*) from ops.incident where resolved_at is null"));
    }

    [Fact]
    public async Task TheNightlyMissesItsDeadlines_AndASourceIsSilent_TheServiceTellsOnce_AndTellsAgainWhenTheLateNightlyLoads()
    {
        var connectionString = await cluster.CreateMigratedConnectionStringAsync("deadman");
        await using var ds = NpgsqlDataSource.Create(connectionString);
        // The switch has been armed for an hour, as on a service that has been running (a fresh warehouse arms it
        // when first watched, so it does not count the nights before it existed).
        await ds.ExecuteAsync(
            "insert into ops.watch_armed (check_name, armed_at) values ('nightly-start', now() - interval '1 hour'), ('nightly-finish', now() - interval '1 hour'), ('silence:orders', now() - interval '1 hour')");
        // An order file waits in the feed's folder for the nightly to load it.
        var (_, feed) = await OrderFeedFile.WriteAsync(_dir, 30);
        await using var smtp = await SmtpSink.CreateAsync();
        using var hook = new WebhookReceiver();
        var now = (await ds.ScalarAsync<DateTime>("select now()")).ToUniversalTime();
        var deadline = new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc).AddSeconds(5);
        var firing = deadline.AddSeconds(15);
        StartNode(connectionString, "solo", Settings(smtp, hook, new()
        {
            ["Crm__Notifications__Nightly__StartBy"] = deadline.ToString("HH:mm:ss", CultureInfo.InvariantCulture),
            ["Crm__Notifications__Nightly__FinishBy"] = deadline.ToString("HH:mm:ss", CultureInfo.InvariantCulture),
            ["Crm__Notifications__Nightly__TimeZone"] = "UTC",
            // The nightly comes late: its schedule fires a quarter of a minute after the deadline.
            ["Crm__Schedules__0__Name"] = "nightly",
            ["Crm__Schedules__0__Job"] = "nightly",
            ["Crm__Schedules__0__Cron"] = firing.ToString("s m H", CultureInfo.InvariantCulture) + " * * ?",
            ["Crm__Schedules__0__TimeZone"] = "UTC",
            ["Crm__Notifications__Silences__0__Source"] = "orders",
            ["Crm__Notifications__Silences__0__After"] = "30m",
            // JSON lines with the stages' information lines, to check each carries its run id.
            ["Crm__Logging__Json"] = "true",
            ["Logging__LogLevel__Crm.Pipeline"] = "Information",
        }), "--config", feed);

        static bool Missed(string? s) => s is not null && s.Contains("The nightly run has not", StringComparison.Ordinal);
        static bool Silent(string? s) => s is not null && s.Contains("No new orders rows for 30 min", StringComparison.Ordinal);
        await UntilAsync(() => smtp.Messages().Count(m => Missed(m.Subject)) >= 2 && smtp.Messages().Any(m => Silent(m.Subject)), "the missed deadlines and the silence to be told", smtp, hook);
        Phase("deadlines told");
        var missed = smtp.Messages().Where(m => Missed(m.Subject)).Select(m => m.Subject!).Order(StringComparer.Ordinal).ToList();
        var at = deadline.ToString("HH:mm:ss", CultureInfo.InvariantCulture);
        Assert.Equal([$"[Crm] The nightly run has not finished by {at} (UTC)", $"[Crm] The nightly run has not started by {at} (UTC)"], missed);
        // Told after the deadline, not before.
        Assert.True(await ds.ScalarAsync<bool>(
            $"select bool_and(opened_at >= '{deadline:O}'::timestamptz) from ops.incident where incident_key like 'nightly-%'"));

        // Both channels: the mails and the webhooks go out one after the other, so the webhooks may trail the mails.
        static int Resolves(IEnumerable<string> lines) =>
            lines.Count(s => s.StartsWith("[Crm] Resolved: The nightly run has not", StringComparison.Ordinal) || s == "[Crm] Resolved: No new orders rows for 30 min");
        await UntilAsync(() => Resolves(smtp.Messages().Select(m => m.Subject ?? "")) >= 3 && Resolves(HookLines(hook)) >= 3,
            "the late nightly to resolve all three", smtp, hook, TimeSpan.FromSeconds(120));
        Phase("resolves told");
        Assert.True(await ds.ScalarAsync<bool>($"select bool_and(started_at >= '{firing:O}'::timestamptz) from ops.pipeline_run where kind = 'nightly'"));

        Assert.Equal(30L, await ds.ScalarAsync<long>("select sum(loaded_count) from ops.ingest_ledger where source = 'orders'"));
        var all = smtp.Messages().Select(m => m.Subject ?? "").Where(s => Missed(s) || Silent(s)).ToList();
        Assert.Equal(6, all.Count);
        Assert.Equal(["[Crm] No new orders rows for 30 min", "[Crm] Resolved: No new orders rows for 30 min"], all.Where(Silent));
        var hooks = HookLines(hook).Where(s => Missed(s) || Silent(s)).ToList();
        if (!all.Order(StringComparer.Ordinal).SequenceEqual(hooks.Order(StringComparer.Ordinal)))
        {
            // Say what the service recorded for each message, so a repeat or a loss can be traced to its attempt.
            var rows = await ds.ScalarAsync<string>(
                "select string_agg(format('%s %s %s %s attempts=%s error=%s', n.notification_id, i.incident_key, n.event, n.channel, n.attempts, n.error), E'\n' order by n.notification_id) "
                + "from ops.notification n join ops.incident i using (incident_id)");
            Assert.Fail($"webhooks [{string.Join(" | ", hooks.Order(StringComparer.Ordinal))}] are not the mails [{string.Join(" | ", all.Order(StringComparer.Ordinal))}]\n{rows}{Diagnostics()}");
        }

        // Every line the nightly's stages wrote (the pipeline's categories, less the watch beside it) names its run.
        var runId = await ds.ScalarAsync<string>("select run_id::text from ops.pipeline_run where kind = 'nightly'");
        var lines = _nodes[0].Output.Split('\n').Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        var staged = lines.Where(l => l.GetProperty("Category").GetString() is { } c
            && c.StartsWith("Crm.Pipeline.", StringComparison.Ordinal) && !c.StartsWith("Crm.Pipeline.Notifications.", StringComparison.Ordinal)).ToList();
        static string? RunOf(JsonElement line) => line.TryGetProperty("Scopes", out var scopes)
            ? scopes.EnumerateArray().Select(s => s.TryGetProperty("RunId", out var r) ? r.GetString() : null).FirstOrDefault(r => r is not null)
            : null;
        Assert.Contains(staged, l => l.GetProperty("Message").GetString()!.StartsWith("Stage orders succeeded", StringComparison.Ordinal));
        Assert.All(staged, l => Assert.True(RunOf(l) == runId, $"no run {runId} on: {l}"));
    }

    /// <summary>The run id in a JSON line's scopes, if any.</summary>
    private static string? RunIdOf(JsonElement line) => line.TryGetProperty("Scopes", out var scopes)
        ? scopes.EnumerateArray().Select(s => s.TryGetProperty("RunId", out var r) ? r.GetString() : null).FirstOrDefault(r => r is not null)
        : null;

    /// <summary>The JSON lines Hangfire's retry filter wrote, on every node, about a job that failed.</summary>
    private List<JsonElement> HangfireFailureLines() =>
        [.. _nodes.SelectMany(n => n.Output.Split('\n')).Where(l => l.StartsWith('{') && l.Contains("Failed to process the job", StringComparison.Ordinal))
            .Select(l => JsonDocument.Parse(l).RootElement.Clone())
            .Where(l => l.GetProperty("Category").GetString()!.StartsWith("Hangfire.", StringComparison.Ordinal))];

    private static Dictionary<string, string> Settings(SmtpSink smtp, WebhookReceiver hook, Dictionary<string, string> more)
    {
        var settings = new Dictionary<string, string>
        {
            ["Crm__Notifications__Emails__0"] = Admin,
            ["Crm__Notifications__Webhooks__0__Name"] = "chat",
            ["Crm__Notifications__Webhooks__0__Url"] = hook.Url,
            ["Crm__Notifications__CheckSeconds"] = "1",
            ["Crm__Notifications__RetrySeconds"] = "1",
            ["Crm__Reports__Smtp__Host"] = "127.0.0.1",
            ["Crm__Reports__Smtp__Port"] = smtp.Port.ToString(CultureInfo.InvariantCulture),
            ["Crm__Reports__Smtp__Security"] = "none",
            ["Crm__Worker__WorkerCount"] = "2",
        };
        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }

        return settings;
    }

    private void StartNode(string connectionString, string name, Dictionary<string, string> environment, params string[] args) =>
        _nodes.Add(ServeNode.Start(connectionString, _dir, name, environment, args));

    private async Task EnqueueAsync(string connectionString, string stage)
    {
        var (exit, output) = await CrmProcess.RunAsync(connectionString, _dir, TimeSpan.FromSeconds(60), "run", stage, "--enqueue");
        Assert.True(exit == 0, output);
    }

    private async Task UntilAsync(Func<bool> condition, string what, SmtpSink smtp, WebhookReceiver hook, TimeSpan? timeout = null)
    {
        if (!await Poll.UntilAsync(condition, timeout ?? TimeSpan.FromSeconds(90), () => _nodes.All(n => n.HasExited)))
        {
            Assert.Fail($"waited in vain for {what}: {smtp.Messages().Count} mails ({string.Join(" | ", smtp.Messages().Select(m => m.Subject))}), "
                + $"{hook.Accepted().Count} webhooks of {hook.Requests} requests" + Diagnostics());
        }
    }

    private static List<string> HookLines(WebhookReceiver hook) =>
        hook.Accepted().Select(b => b.GetProperty("text").GetString()!.Split('\n')[0]).ToList();

    private bool AnyExited() => _nodes.Any(n => n.HasExited);

    private void Phase(string what) => log.WriteLine($"{_clock.Elapsed.TotalSeconds,6:0.0} s  {what}");

    private string Diagnostics() =>
        string.Concat(_nodes.Select(n => $"\n--- {n.Name} (exited: {n.HasExited}) ---\n{n.Output}"));
}

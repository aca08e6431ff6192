using System.Globalization;
using Crm.Pipeline.Reports;
using Crm.Pipeline.Sources;
using Crm.Pipeline.Sources.Email;
using Crm.Pipeline.Sources.Orders;
using Crm.Pipeline.Sources.WebLogs;
using Crm.Pipeline.Warehouse;
using Crm.Worker.Commands;
using Crm.Worker.Scheduling;
using Crm.Pipeline.Sources.Email.OAuth;
using MailKit.Net.Imap;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Configuration;
using Npgsql;
using Quartz;

namespace Crm.Worker.Settings;

/// <summary>
/// <c>crm check</c>: every setting validated, the warehouse reached (version, pending migrations), each source's
/// folder with the files it would load next, the SMTP server greeted (no mail sent), each IMAP account signed in with its folders and message counts (no mail read), and
/// each schedule's next firings in its time zone. The service logs the same findings at start.
/// </summary>
public static class Doctor
{
    private const int ListedFiles = 3;

    /// <summary>Runs every check against <paramref name="configuration"/>; <paramref name="connectionString"/> is the warehouse, when known.</summary>
    public static async Task<IReadOnlyList<CheckFinding>> RunAsync(
        IConfiguration configuration, string? connectionString, bool greetServers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var findings = new List<CheckFinding>();
        var failures = CrmSettings.Validate(configuration);
        findings.AddRange(failures.Select(f => new CheckFinding(CheckLevel.Error, "settings", f)));
        if (failures.Count == 0)
        {
            findings.Add(new CheckFinding(CheckLevel.Ok, "settings", "every setting is valid"));
        }

        HashSet<string>? loaded = null;
        if (connectionString is not null)
        {
            loaded = await WarehouseAsync(connectionString, findings, cancellationToken).ConfigureAwait(false);
        }

        Sources(configuration, loaded, findings);
        if (greetServers)
        {
            await ServersAsync(configuration, findings, cancellationToken).ConfigureAwait(false);
        }

        Schedules(configuration, findings);
        Notifications(configuration, findings);
        await BackupCheck.RunAsync(configuration, connectionString, findings, cancellationToken).ConfigureAwait(false);
        return findings;
    }

    /// <summary>The closing line: <c>N ok, N warnings, N errors</c>.</summary>
    public static string Summary(IReadOnlyCollection<CheckFinding> findings)
    {
        ArgumentNullException.ThrowIfNull(findings);
        return string.Create(CultureInfo.InvariantCulture,
            $"{findings.Count(f => f.Level == CheckLevel.Ok)} ok, {findings.Count(f => f.Level == CheckLevel.Warning)} warnings, {findings.Count(f => f.Level == CheckLevel.Error)} errors");
    }

    private static async Task<HashSet<string>?> WarehouseAsync(string connectionString, List<CheckFinding> findings, CancellationToken cancellationToken)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            findings.Add(new CheckFinding(CheckLevel.Ok, "warehouse",
                $"PostgreSQL {connection.PostgreSqlVersion} at {builder.Host}:{builder.Port}, database '{builder.Database}'"));
            var pending = await new Migrator(dataSource).PendingAsync(cancellationToken).ConfigureAwait(false);
            findings.Add(pending.Count == 0
                ? new CheckFinding(CheckLevel.Ok, "migrations", $"all {Migrator.KnownMigrations.Count} applied")
                : new CheckFinding(CheckLevel.Warning, "migrations",
                    $"{pending.Count} of {Migrator.KnownMigrations.Count} pending ({pending[0]} first); 'crm migrate' or the service's start applies them"));
            if (pending.Count == Migrator.KnownMigrations.Count)
            {
                return [];
            }

            var loaded = new HashSet<string>(StringComparer.Ordinal);
            await using var command = new NpgsqlCommand("select distinct source || '|' || unit_path from ops.ingest_ledger where unit_path is not null", connection);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                loaded.Add(reader.GetString(0));
            }

            return loaded;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            var explained = UserErrors.Explain(e, () => connectionString);
            findings.Add(new CheckFinding(CheckLevel.Error, "warehouse", explained is { } x ? string.Join(" ", x.Lines) : e.Message));
            return null;
        }
    }

    private static void Sources(IConfiguration configuration, HashSet<string>? loaded, List<CheckFinding> findings)
    {
        var orders = Bind<OrdersOptions>(configuration, "Crm:Orders");
        for (var i = 0; i < (orders?.Feeds.Count ?? 0); i++)
        {
            var feed = orders!.Feeds[i];
            Folder(findings, $"order feed '{feed.Name}' (Crm:Orders:Feeds:{i})", OrderFeedIngester.Source, feed.Folder, feed.Pattern, loaded);
        }

        var webLogs = Bind<WebLogsOptions>(configuration, "Crm:WebLogs");
        for (var i = 0; i < (webLogs?.Sources.Count ?? 0); i++)
        {
            var source = webLogs!.Sources[i];
            Folder(findings, $"web log source '{source.Name}' (Crm:WebLogs:Sources:{i})", WebLogIngester.Source, source.Folder, source.Pattern, loaded);
        }

        var email = Bind<EmailOptions>(configuration, "Crm:Email");
        using var credentials = new ImapCredentials();
        for (var i = 0; i < (email?.Drops.Count ?? 0); i++)
        {
            var drop = email!.Drops[i];
            var subject = $"mail drop '{drop}' (Crm:Email:Drops:{i})";
            if (SourceFolders.FolderOrFileProblem(drop) is { } problem)
            {
                findings.Add(new CheckFinding(CheckLevel.Error, subject, problem));
                continue;
            }

            var files = File.Exists(drop)
                ? [Path.GetFullPath(drop)]
                : Directory.EnumerateFiles(drop, "*", SearchOption.AllDirectories).Select(Path.GetFullPath).Order(StringComparer.Ordinal).ToList();
            Files(findings, subject, "email", files, loaded);
        }

        if ((orders?.Feeds.Count ?? 0) + (webLogs?.Sources.Count ?? 0) + (email?.Drops.Count ?? 0) + (email?.Imap.Accounts.Count ?? 0) == 0)
        {
            findings.Add(new CheckFinding(CheckLevel.Warning, "sources",
                "no order feed, web log source, mail drop or IMAP account is configured: the nightly run has nothing to load (see deploy/config/crm.sample.json)"));
        }
    }

    private static void Folder(List<CheckFinding> findings, string subject, string source, string? folder, string pattern, HashSet<string>? loaded)
    {
        if (string.IsNullOrWhiteSpace(folder))
        {
            findings.Add(new CheckFinding(CheckLevel.Error, subject, "no Folder set"));
            return;
        }

        if (SourceFolders.Problem(folder) is { } problem)
        {
            findings.Add(new CheckFinding(CheckLevel.Error, subject, $"folder {Path.GetFullPath(folder)} {problem}"));
            return;
        }

        if (SourceFolders.PatternProblem(pattern) is not null)
        {
            return; // the settings check names it
        }

        Files(findings, subject, source, SourceFolders.Files(folder, pattern).Select(Path.GetFullPath).ToList(), loaded);
    }

    private static void Files(List<CheckFinding> findings, string subject, string source, IReadOnlyList<string> files, HashSet<string>? loaded)
    {
        if (files.Count == 0)
        {
            findings.Add(new CheckFinding(CheckLevel.Warning, subject, "no files match yet: nothing to load"));
            return;
        }

        if (loaded is null)
        {
            findings.Add(new CheckFinding(CheckLevel.Ok, subject, $"{files.Count} file(s): {List(files)}"));
            return;
        }

        var next = files.Where(f => !loaded.Contains(source + "|" + f)).ToList();
        findings.Add(new CheckFinding(CheckLevel.Ok, subject, next.Count == 0
            ? $"{files.Count} file(s), all loaded before (a file that grew or changed is loaded again)"
            : $"{files.Count} file(s), {next.Count} never loaded, next: {List(next)}"));
    }

    private static string List(IReadOnlyList<string> files) =>
        string.Join(", ", files.Take(ListedFiles).Select(Path.GetFileName)) + (files.Count > ListedFiles ? $" and {files.Count - ListedFiles} more" : "");

    private static async Task ServersAsync(IConfiguration configuration, List<CheckFinding> findings, CancellationToken cancellationToken)
    {
        var reports = Bind<ReportsOptions>(configuration, "Crm:Reports");
        if (reports is not null && !string.IsNullOrWhiteSpace(reports.Smtp.Host))
        {
            var smtp = reports.Smtp;
            var subject = $"SMTP server {smtp.Host}:{smtp.Port} (Crm:Reports:Smtp)";
            await GreetAsync(findings, subject, async ct =>
            {
                using var client = new SmtpClient { Timeout = 15_000 };
                if (!smtp.ValidateCertificate)
                {
                    client.ServerCertificateValidationCallback = (_, _, _, _) => true;
                }

                await client.ConnectAsync(smtp.Host!, smtp.Port, smtp.SocketOptions, ct).ConfigureAwait(false);
                var greeting = $"answers ({smtp.Security}){(client.IsSecure ? ", TLS" : "")}; no mail sent";
                await client.DisconnectAsync(quit: true, ct).ConfigureAwait(false);
                return greeting;
            }, cancellationToken).ConfigureAwait(false);
        }
        else if (reports is not null && reports.Recipients.Count > 0)
        {
            findings.Add(new CheckFinding(CheckLevel.Warning, "reports",
                $"no Crm:Reports:Smtp:Host: the {reports.Recipients.Count} recipient(s)' reports are written to the outbox folder {reports.Outbox}, not sent"));
        }

        var email = Bind<EmailOptions>(configuration, "Crm:Email");
        using var credentials = new ImapCredentials();
        for (var i = 0; i < (email?.Imap.Accounts.Count ?? 0); i++)
        {
            var account = email!.Imap.Accounts[i];
            var port = account.EffectivePort;
            await GreetAsync(findings, $"IMAP account '{account.Name}' {account.Host}:{port} (Crm:Email:Imap:Accounts:{i})",
                ct => ImapSession.ProbeAsync(account, credentials, ct), cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task GreetAsync(List<CheckFinding> findings, string subject, Func<CancellationToken, Task<string>> greet, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        try
        {
            findings.Add(new CheckFinding(CheckLevel.Ok, subject, await greet(timeout.Token).ConfigureAwait(false)));
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or OperationCanceledException
            or MailKit.ProtocolException or MailKit.CommandException or SslHandshakeException or TimeoutException or HttpRequestException)
        {
            var reason = e is OperationCanceledException && !cancellationToken.IsCancellationRequested ? "no answer in 20 s" : e.Message.TrimEnd('.');
            findings.Add(new CheckFinding(CheckLevel.Error, subject, $"does not answer ({reason}); check Host, Port and the TLS setting"));
        }
        catch (AuthenticationException e)
        {
            findings.Add(new CheckFinding(CheckLevel.Error, subject, $"answers but refused the sign-in ({e.Message.TrimEnd('.')}); check the user and its password, token or app permissions"));
        }
        catch (ImapSyncException e)
        {
            findings.Add(new CheckFinding(CheckLevel.Error, subject, e.Message));
        }
    }

    private static void Notifications(IConfiguration configuration, List<CheckFinding> findings)
    {
        var options = new Crm.Pipeline.Notifications.NotificationsOptions();
        try
        {
            configuration.GetSection("Crm:Notifications").Bind(options);
        }
        catch (InvalidOperationException)
        {
            return; // the settings check names it
        }

        if (!options.Enabled)
        {
            findings.Add(new CheckFinding(CheckLevel.Warning, "notifications",
                "no admin address or webhook in Crm:Notifications: nobody is told when a run fails or the nightly does not run"));
            return;
        }

        var watched = new List<string> { "failed runs", "stage alerts" };
        watched.AddRange(options.Silences.Select(s => $"{s.Source} silent for {s.After}"));
        if (!string.IsNullOrWhiteSpace(options.Nightly.StartBy))
        {
            watched.Add($"nightly started by {options.Nightly.StartBy} {options.Nightly.TimeZone}");
        }

        if (!string.IsNullOrWhiteSpace(options.Nightly.FinishBy))
        {
            watched.Add($"nightly finished by {options.Nightly.FinishBy} {options.Nightly.TimeZone}");
        }

        findings.Add(new CheckFinding(CheckLevel.Ok, "notifications", string.Create(CultureInfo.InvariantCulture,
            $"{options.Emails.Count} address(es), {options.Webhooks.Count} webhook(s) ({string.Join(", ", options.Webhooks.Select(w => w.EffectiveName))}); watching {string.Join(", ", watched)}")));
    }

    private static void Schedules(IConfiguration configuration, List<CheckFinding> findings)
    {
        var items = new List<ScheduleOptions>();
        try
        {
            configuration.GetSection("Crm:Schedules").Bind(items);
        }
        catch (InvalidOperationException)
        {
            return; // the settings check names it
        }

        for (var i = 0; i < items.Count; i++)
        {
            var s = items[i];
            var subject = $"schedule '{s.Name}' ({s.Job}, Crm:Schedules:{i})";
            if (!CronExpression.TryParse(s.Cron, out _))
            {
                continue; // the settings check names it
            }

            TimeZoneInfo zone;
            try
            {
                zone = TimeZoneInfo.FindSystemTimeZoneById(s.TimeZone);
            }
            catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
            {
                continue;
            }

            var cron = new CronExpression(s.Cron, zone);
            var next = new List<string>();
            var after = DateTimeOffset.UtcNow;
            while (next.Count < 3 && cron.GetNextValidTimeAfter(after) is { } fire)
            {
                next.Add(TimeZoneInfo.ConvertTime(fire, zone).ToString("ddd yyyy-MM-dd HH:mm zzz", CultureInfo.InvariantCulture));
                after = fire;
            }

            findings.Add(next.Count == 0
                ? new CheckFinding(CheckLevel.Warning, subject, $"'{s.Cron}' never fires again")
                : new CheckFinding(CheckLevel.Ok, subject, $"next in {s.TimeZone}: {string.Join("; ", next)}"));
        }
    }

    private static T? Bind<T>(IConfiguration configuration, string section)
        where T : class, new()
    {
        try
        {
            return configuration.GetSection(section).Get<T>() ?? new T();
        }
        catch (InvalidOperationException)
        {
            return null; // a value of the wrong type: the settings check names it
        }
    }
}

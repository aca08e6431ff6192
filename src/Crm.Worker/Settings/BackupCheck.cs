using System.Globalization;
using Crm.Pipeline.Backup;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Crm.Worker.Settings;

/// <summary>
/// The doctor's look at backups: the snapshot folder (writable, free space, the newest snapshot), whether a schedule runs
/// the <c>backup</c> stage, and that the server's own <c>pg_dump</c> is installed.
/// </summary>
internal static class BackupCheck
{
    public static async Task RunAsync(IConfiguration configuration, string? connectionString, List<CheckFinding> findings, CancellationToken cancellationToken)
    {
        var options = configuration.GetSection("Crm:Backup").Get<BackupOptions>() ?? new BackupOptions();
        var folder = options.ResolveFolder(configuration["Crm:DataDirectory"]);
        var scheduled = configuration.GetSection("Crm:Schedules").GetChildren()
            .Where(s => s["Job"] == "backup").Select(s => s["Name"] ?? "?").ToList();
        var level = scheduled.Count > 0 ? CheckLevel.Error : CheckLevel.Warning;
        findings.Add(scheduled.Count > 0
            ? new CheckFinding(CheckLevel.Ok, "backup", $"schedule(s) {string.Join(", ", scheduled)} run the backup stage, keeping {options.KeepDaily} daily and {options.KeepWeekly} weekly snapshots")
            : new CheckFinding(CheckLevel.Ok, "backup", "off: no schedule runs the backup stage (add one with Job 'backup', see deploy/OPERATIONS.md); 'crm backup' takes a snapshot by hand"));

        if (File.Exists(folder))
        {
            findings.Add(new CheckFinding(CheckLevel.Error, "backup folder", $"{folder} is a file; set Crm:Backup:Folder to a folder"));
            return;
        }

        if (!Directory.Exists(folder))
        {
            var parent = ExistingParent(folder);
            findings.Add(new CheckFinding(CheckLevel.Ok, "backup folder", $"{folder} (not there yet; created by the first snapshot under {parent})"));
        }
        else
        {
            var snapshots = SnapshotRetention.List(folder);
            var newest = snapshots.Count > 0 ? $"newest {Path.GetFileName(snapshots[0].Path)}" : "no snapshot yet";
            findings.Add(new CheckFinding(CheckLevel.Ok, "backup folder", $"{folder}: {snapshots.Count} snapshot(s), {newest}"));
        }

        if (BackupStage.FreeMegabytes(ExistingParent(folder)) is { } free)
        {
            findings.Add(free < options.MinFreeMegabytes
                ? new CheckFinding(level, "backup space", string.Create(CultureInfo.InvariantCulture,
                    $"{free:N0} MB free at {folder}, under Crm:Backup:MinFreeMegabytes ({options.MinFreeMegabytes:N0}); free space or move the folder"))
                : new CheckFinding(CheckLevel.Ok, "backup space", string.Create(CultureInfo.InvariantCulture, $"{free:N0} MB free")));
        }

        if (connectionString is null)
        {
            return;
        }

        try
        {
            await using var dataSource = NpgsqlDataSource.Create(connectionString);
            var major = await PostgresTools.ServerMajorAsync(dataSource, cancellationToken).ConfigureAwait(false);
            findings.Add(new CheckFinding(CheckLevel.Ok, "pg_dump", PostgresTools.Find("pg_dump", major)));
        }
        catch (SnapshotException e)
        {
            findings.Add(new CheckFinding(level, "pg_dump", e.Message));
        }
        catch (NpgsqlException)
        {
            // The warehouse finding already says why it cannot be reached.
        }
    }

    private static string ExistingParent(string folder)
    {
        var dir = folder;
        while (!Directory.Exists(dir) && Path.GetDirectoryName(dir) is { Length: > 0 } parent)
        {
            dir = parent;
        }

        return dir;
    }
}

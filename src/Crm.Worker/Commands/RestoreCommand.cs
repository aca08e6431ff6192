using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Crm.Pipeline.Backup;
using Crm.Pipeline.Reports;
using Crm.Worker.Hosting;
using Crm.Worker.Settings;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Crm.Worker.Commands;

/// <summary>
/// <c>crm restore SNAPSHOT [--into CONNECTION] [--force]</c>: checks the snapshot against its manifest, restores it into an
/// empty warehouse (the configured or embedded one, or the one named), compares every table's rows with the manifest,
/// migrates it forward when it came from an earlier release, and puts the outbox files back.
/// </summary>
internal static class RestoreCommand
{
    public static Command Create()
    {
        var snapshot = new Argument<string>("snapshot") { Description = "The snapshot folder 'crm backup' printed (or its manifest.json)" };
        var into = new Option<string?>("--into") { Description = "A PostgreSQL connection string to restore into (default: the configured warehouse, else the embedded one)" };
        var force = new Option<bool>("--force") { Description = "Replace what the target warehouse holds (every schema but public is dropped first)" };
        var command = new Command("restore", "Restore a snapshot of 'crm backup' into an empty warehouse, check its rows and migrate it forward") { snapshot, into, force };
        command.SetAction(async (parse, ct) =>
        {
            var watch = Stopwatch.StartNew();
            var configuration = CrmConfiguration.Build(parse.GetValue(CommonOptions.Config));
            CrmSettings.ThrowIfInvalid(configuration);
            string folder;
            SnapshotManifest manifest;
            try
            {
                (folder, manifest) = await SnapshotRestorer.VerifyAsync(parse.GetValue(snapshot)!, ct).ConfigureAwait(false);
            }
            catch (SnapshotException e)
            {
                throw new UserErrorException("restore refused: " + e.Message, UserErrorException.SettingsExitCode, e);
            }

            var target = parse.GetValue(into);
            if (target is { Length: > 0 })
            {
                try
                {
                    _ = new NpgsqlConnectionStringBuilder(target).Database ?? throw new ArgumentException("no Database");
                }
                catch (ArgumentException e)
                {
                    throw new UserErrorException($"--into: not a PostgreSQL connection string with a Database ({e.Message}); e.g. 'Host=db;Port=5432;Database=crm;Username=crm'.", e);
                }
            }

            await using var warehouse = target is { Length: > 0 } ? null : await Hosting.Warehouse.ResolveAsync(configuration, ct).ConfigureAwait(false);
            var connectionString = warehouse?.ConnectionString ?? target!;
            var targetName = warehouse?.EmbeddedDirectory is { } embedded ? $"the embedded warehouse in {embedded}" : null;
            var outbox = Path.GetFullPath(configuration.GetSection("Crm:Reports").Get<ReportsOptions>()?.Outbox ?? new ReportsOptions().Outbox);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"snapshot {folder}: taken {manifest.CreatedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z on {manifest.Machine}, migration level {(manifest.MigrationLevel.Length > 0 ? manifest.MigrationLevel : "none")}, {manifest.Files.Count} file(s) match the manifest"));
            RestoreResult result;
            try
            {
                result = await SnapshotRestorer.RestoreVerifiedAsync(folder, manifest, connectionString, parse.GetValue(force), outbox, ct, targetName).ConfigureAwait(false);
            }
            catch (Exception e) when (target is { Length: > 0 } && (e is NpgsqlException || Pipeline.Warehouse.WarehouseFaults.IsConnectionLoss(e)))
            {
                throw new UserErrorException(
                    $"--into: cannot reach {SnapshotRestorer.Describe(connectionString)} ({Pipeline.Warehouse.WarehouseFaults.Reason(e)}); start PostgreSQL there or fix the connection string.",
                    UserErrorException.UnreachableExitCode, e);
            }
            catch (SnapshotException e)
            {
                throw new UserErrorException((e.TargetNotEmpty ? "restore refused: " : "restore failed: ") + e.Message,
                    e.TargetNotEmpty ? UserErrorException.SettingsExitCode : 1, e);
            }

            Console.WriteLine($"restored into {targetName ?? SnapshotRestorer.Describe(connectionString)}");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"rows: all {manifest.Tables.Count} tables hold the {manifest.TotalRows:N0} rows the manifest lists"));
            Console.WriteLine(result.Migrated.Count == 0
                ? "migrations: none to apply, the snapshot is at this release's level"
                : $"migrated forward: {result.Migrated.Count} applied ({string.Join(", ", result.Migrated)})");
            Console.WriteLine($"outbox: {result.OutboxFiles} file(s) into {outbox}");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"took {watch.Elapsed.TotalSeconds:0.0} s"));
            return 0;
        });
        return command;
    }
}

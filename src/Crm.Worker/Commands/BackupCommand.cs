using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Crm.Pipeline.Backup;
using Crm.Pipeline.Reports;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Crm.Worker.Commands;

/// <summary>
/// <c>crm backup [--to DIR]</c>: one consistent snapshot of the warehouse (embedded or configured) and the report outbox,
/// with its manifest, into a new folder under <c>DIR</c> (default <c>Crm:Backup:Folder</c>); prints where and how big.
/// </summary>
internal static class BackupCommand
{
    public static Command Create()
    {
        var to = new Option<string?>("--to") { Description = "The folder to put the snapshot in (default Crm:Backup:Folder, else .crm/backups)" };
        var command = new Command("backup", "Take a snapshot of the warehouse (pg_dump, every schema) and the outbox, with a manifest") { to };
        command.SetAction(async (parse, ct) =>
        {
            var watch = Stopwatch.StartNew();
            await using var host = await CommandHost.StartAsync(parse.GetValue(CommonOptions.Config), ct, migrate: false).ConfigureAwait(false);
            var options = host.Services.GetRequiredService<IOptions<BackupOptions>>().Value;
            var folder = parse.GetValue(to) is { Length: > 0 } given ? Path.GetFullPath(given) : options.ResolveFolder(host.Configuration["Crm:DataDirectory"]);
            var outbox = Path.GetFullPath(host.Services.GetRequiredService<IOptions<ReportsOptions>>().Value.Outbox);
            (string Folder, SnapshotManifest Manifest) taken;
            try
            {
                taken = await SnapshotWriter.TakeAsync(host.Warehouse.ConnectionString, folder, outbox, TimeProvider.System, ct).ConfigureAwait(false);
            }
            catch (SnapshotException e)
            {
                throw new UserErrorException(e.Message, 1, e);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UserErrorException($"{folder}: cannot write the snapshot there ({e.Message}); free space, fix its permissions or give another folder with --to.", 1, e);
            }

            var (path, manifest) = taken;
            var dump = manifest.Files.Single(f => f.Path == SnapshotManifest.DumpFileName);
            var outboxFiles = manifest.Files.Where(f => f.Path.StartsWith("outbox/", StringComparison.Ordinal)).ToList();
            Console.WriteLine($"snapshot {path}");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {SnapshotManifest.DumpFileName,-17} {Size(dump.Bytes),10}  {manifest.Tables.Count} tables, {manifest.TotalRows:N0} rows, migration level {(manifest.MigrationLevel.Length > 0 ? manifest.MigrationLevel : "none")}, PostgreSQL {manifest.ServerVersion}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {"outbox/",-17} {Size(outboxFiles.Sum(f => f.Bytes)),10}  {outboxFiles.Count} file(s) from {outbox}"));
            Console.WriteLine($"  {SnapshotManifest.FileName,-17} {Size(new FileInfo(Path.Combine(path, SnapshotManifest.FileName)).Length),10}  taken {manifest.CreatedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z, SHA-256 of each file");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"total {Size(manifest.TotalBytes + new FileInfo(Path.Combine(path, SnapshotManifest.FileName)).Length)} in {watch.Elapsed.TotalSeconds:0.0} s; restore with: crm restore {path}"));
            return 0;
        });
        return command;
    }

    /// <summary>A size for people: 512 B, 3.4 KB, 12.3 MB, 1.2 GB.</summary>
    internal static string Size(long bytes) => bytes switch
    {
        < 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KB"),
        < 1024L * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0 / 1024:0.0} MB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0 / 1024 / 1024:0.00} GB"),
    };
}

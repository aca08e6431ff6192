using System.Diagnostics;
using Crm.Pipeline.Warehouse;
using Npgsql;

namespace Crm.Pipeline.Backup;

/// <summary>
/// Restores a snapshot of <see cref="SnapshotWriter"/> into an empty warehouse: checks every file against the manifest
/// first (a truncated or altered snapshot is refused before the target is touched), refuses a target that holds anything
/// unless told to replace it, restores in one transaction (a failure leaves the target as it was), compares every table's
/// rows with the manifest, then applies the migrations this release has and the snapshot's did not.
/// </summary>
public static class SnapshotRestorer
{
    private static readonly string TargetContentsSql = SqlResource.Load("backup_target_contents.sql");

    /// <summary>The snapshot folder <paramref name="path"/> names: the folder itself, or any file in it (its manifest, its dump).</summary>
    /// <exception cref="SnapshotException">There is nothing at <paramref name="path"/>.</exception>
    public static string ResolveFolder(string path)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            return full;
        }

        if (File.Exists(full))
        {
            return Path.GetDirectoryName(full)!;
        }

        throw new SnapshotException($"{full}: no such snapshot; give the folder 'crm backup' printed (crm-yyyyMMddTHHmmssZ) or its manifest.json.");
    }

    /// <summary>Checks the snapshot at <paramref name="path"/> without restoring it; returns its folder and manifest.</summary>
    /// <exception cref="SnapshotException">It is incomplete, truncated, altered, or from a newer release.</exception>
    public static async Task<(string Folder, SnapshotManifest Manifest)> VerifyAsync(string path, CancellationToken cancellationToken)
    {
        var folder = ResolveFolder(path);
        var manifest = await SnapshotManifest.ReadAsync(folder, cancellationToken).ConfigureAwait(false);
        if (manifest.Files.All(f => f.Path != SnapshotManifest.DumpFileName))
        {
            throw new SnapshotException($"{Path.Combine(folder, SnapshotManifest.FileName)}: lists no {SnapshotManifest.DumpFileName}; the manifest was altered, use another snapshot.");
        }

        var known = Migrator.KnownMigrations.ToHashSet(StringComparer.Ordinal);
        if (manifest.Migrations.FirstOrDefault(m => !known.Contains(m)) is { } newer)
        {
            throw new SnapshotException(
                $"{Path.Combine(folder, SnapshotManifest.FileName)}: the snapshot was taken by a newer release (migration {newer} is unknown to this one); restore it with that release or a newer one.");
        }

        await manifest.VerifyAsync(folder, cancellationToken).ConfigureAwait(false);
        return (folder, manifest);
    }

    /// <summary>
    /// Restores the snapshot at <paramref name="path"/> into the database of <paramref name="connectionString"/>, and its outbox
    /// files into <paramref name="outbox"/>. With <paramref name="force"/>, a target holding data has every schema but
    /// <c>public</c> dropped first.
    /// </summary>
    /// <exception cref="SnapshotException">The snapshot is damaged, the target is not empty (and no force), pg_restore failed, or the rows differ.</exception>
    public static async Task<RestoreResult> RestoreAsync(string path, string connectionString, bool force, string? outbox, CancellationToken cancellationToken)
    {
        var (folder, manifest) = await VerifyAsync(path, cancellationToken).ConfigureAwait(false);
        return await RestoreVerifiedAsync(folder, manifest, connectionString, force, outbox, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// <see cref="RestoreAsync"/> of a snapshot <see cref="VerifyAsync"/> has just checked (its files are not hashed again);
    /// <paramref name="targetName"/> names the target in messages (default: database, host and port).
    /// </summary>
    /// <exception cref="SnapshotException">The target is not empty (and no force), pg_restore failed, or the rows differ.</exception>
    public static async Task<RestoreResult> RestoreVerifiedAsync(
        string folder, SnapshotManifest manifest, string connectionString, bool force, string? outbox, CancellationToken cancellationToken,
        string? targetName = null)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var watch = Stopwatch.StartNew();
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var target = targetName ?? Describe(connectionString);
        var (relations, schemas) = await ContentsAsync(dataSource, cancellationToken).ConfigureAwait(false);
        if (relations > 0 || schemas.Length > 0)
        {
            if (!force)
            {
                throw new SnapshotException(
                    $"the warehouse {target} is not empty ({relations} tables, views or sequences; schemas {(schemas.Length > 0 ? schemas : "none but public")}); " +
                    "restore into an empty one, or add --force to replace what it holds.")
                { TargetNotEmpty = true };
            }

            if (schemas.Length > 0)
            {
                await using var drop = dataSource.CreateCommand($"drop schema {schemas} cascade");
                await drop.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        var major = await PostgresTools.ServerMajorAsync(dataSource, cancellationToken).ConfigureAwait(false);
        var pgRestore = PostgresTools.Find("pg_restore", major);
        NpgsqlConnection.ClearPool(new NpgsqlConnection(connectionString));
        var failure = await PostgresTools.RunAsync(pgRestore,
            ["--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges", "--no-password",
             "--dbname=" + new NpgsqlConnectionStringBuilder(connectionString).Database, Path.Combine(folder, SnapshotManifest.DumpFileName)],
            connectionString, cancellationToken).ConfigureAwait(false);
        if (failure is not null)
        {
            throw new SnapshotException($"{Path.Combine(folder, SnapshotManifest.DumpFileName)}: pg_restore into {target} failed and changed nothing ({failure}); fix what it says and restore again.");
        }

        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
        {
            var restored = (await SnapshotWriter.RowCountsAsync(connection, null, cancellationToken).ConfigureAwait(false)).ToDictionary(t => t.Name, t => t.Rows, StringComparer.Ordinal);
            var differ = manifest.Tables
                .Where(t => !restored.TryGetValue(t.Name, out var rows) || rows != t.Rows)
                .Select(t => $"{t.Name} {(restored.TryGetValue(t.Name, out var rows) ? rows.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) : "missing")} (manifest {t.Rows:N0})")
                .ToList();
            if (differ.Count > 0)
            {
                throw new SnapshotException(
                    $"{target}: restored, but {differ.Count} table(s) hold other rows than {Path.Combine(folder, SnapshotManifest.FileName)} lists: {string.Join(", ", differ.Take(10))}; " +
                    "do not use this warehouse, restore another snapshot.");
            }
        }

        var migrated = await new Migrator(dataSource).MigrateAsync(cancellationToken).ConfigureAwait(false);
        var files = 0;
        if (outbox is not null)
        {
            foreach (var file in manifest.Files.Where(f => f.Path.StartsWith("outbox/", StringComparison.Ordinal)))
            {
                var destination = Path.Combine(outbox, file.Path["outbox/".Length..]);
                Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                File.Copy(Path.Combine(folder, file.Path), destination, overwrite: true);
                files++;
            }
        }

        return new RestoreResult(folder, manifest, migrated, files, watch.Elapsed);
    }

    /// <summary>The target database as a user knows it: <c>'crm' at 127.0.0.1:5432</c> (never the password).</summary>
    public static string Describe(string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        return $"'{b.Database}' at {b.Host}:{b.Port}";
    }

    private static async Task<(long Relations, string Schemas)> ContentsAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(TargetContentsSql);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return (reader.GetInt64(reader.GetOrdinal("relations")), reader.GetString(reader.GetOrdinal("schemas")));
    }
}

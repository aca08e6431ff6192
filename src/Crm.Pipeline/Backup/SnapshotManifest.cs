using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Crm.Pipeline.Backup;

/// <summary>
/// <c>manifest.json</c>, beside the files of a snapshot: when and from what it was taken, the warehouse's migration level,
/// the rows of every table at the moment of the dump, and each file's size and SHA-256. A restore checks every file against
/// it before touching the target, and the target's rows against it after.
/// </summary>
public sealed class SnapshotManifest
{
    /// <summary>The manifest's file name in a snapshot folder.</summary>
    public const string FileName = "manifest.json";

    /// <summary>The database dump's file name in a snapshot folder (<c>pg_dump</c> custom format).</summary>
    public const string DumpFileName = "warehouse.pgdump";

    /// <summary>This layout's version.</summary>
    public const int CurrentFormat = 1;

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Layout version (<see cref="CurrentFormat"/>).</summary>
    public int Format { get; set; } = CurrentFormat;

    /// <summary>When the dump's snapshot of the database was taken.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The machine that took it.</summary>
    public string Machine { get; set; } = "";

    /// <summary>The server's version (<c>server_version</c>).</summary>
    public string ServerVersion { get; set; } = "";

    /// <summary>The <c>pg_dump</c> that wrote the dump.</summary>
    public string PgDump { get; set; } = "";

    /// <summary>The last migration applied (<c>ops.schema_migration</c>), empty for a warehouse never migrated.</summary>
    public string MigrationLevel { get; set; } = "";

    /// <summary>Every migration applied, in order.</summary>
    public List<string> Migrations { get; set; } = [];

    /// <summary>Rows per table in the dump.</summary>
    public List<TableRows> Tables { get; set; } = [];

    /// <summary>The snapshot's files (paths relative to its folder), with sizes and checksums.</summary>
    public List<SnapshotFile> Files { get; set; } = [];

    /// <summary>All rows of all tables.</summary>
    [JsonIgnore]
    public long TotalRows => Tables.Sum(t => t.Rows);

    /// <summary>All bytes of all files.</summary>
    [JsonIgnore]
    public long TotalBytes => Files.Sum(f => f.Bytes);

    /// <summary>Writes the manifest to <paramref name="path"/>.</summary>
    public async Task WriteAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = File.Create(path);
        await JsonSerializer.SerializeAsync(stream, this, Json, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads the manifest of the snapshot in <paramref name="folder"/>.</summary>
    /// <exception cref="SnapshotException">It is missing or not a manifest.</exception>
    public static async Task<SnapshotManifest> ReadAsync(string folder, CancellationToken cancellationToken)
    {
        var path = Path.Combine(folder, FileName);
        if (!File.Exists(path))
        {
            throw new SnapshotException($"{path}: no manifest, so this is not a complete snapshot; give the folder 'crm backup' wrote (or its manifest.json).");
        }

        try
        {
            await using var stream = File.OpenRead(path);
            var manifest = await JsonSerializer.DeserializeAsync<SnapshotManifest>(stream, Json, cancellationToken).ConfigureAwait(false);
            if (manifest is null || manifest.Files.Count == 0 || manifest.Format < 1)
            {
                throw new SnapshotException($"{path}: not a snapshot manifest (no files listed); the snapshot is damaged, use another one.");
            }

            if (manifest.Format > CurrentFormat)
            {
                throw new SnapshotException($"{path}: snapshot layout {manifest.Format} is newer than this release reads ({CurrentFormat}); restore it with the release that took it or a newer one.");
            }

            return manifest;
        }
        catch (JsonException e)
        {
            throw new SnapshotException($"{path}: not valid JSON ({e.Message}); the manifest was altered or cut short, use another snapshot.", e);
        }
    }

    /// <summary>
    /// Checks every listed file of the snapshot in <paramref name="folder"/>: there, of the listed size, with the listed SHA-256.
    /// </summary>
    /// <exception cref="SnapshotException">A file is missing, truncated, grown or altered; the message names it and says which.</exception>
    public async Task VerifyAsync(string folder, CancellationToken cancellationToken)
    {
        foreach (var file in Files)
        {
            var path = Path.GetFullPath(Path.Combine(folder, file.Path));
            if (!path.StartsWith(Path.GetFullPath(folder) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                throw new SnapshotException($"{Path.Combine(folder, FileName)}: lists '{file.Path}', outside the snapshot folder; the manifest was altered, use another snapshot.");
            }

            if (!File.Exists(path))
            {
                throw new SnapshotException($"{path}: missing from the snapshot (the manifest lists it); use another snapshot.");
            }

            var length = new FileInfo(path).Length;
            if (length != file.Bytes)
            {
                throw new SnapshotException(length < file.Bytes
                    ? $"{path}: truncated ({length:N0} bytes of {file.Bytes:N0} in the manifest); use another snapshot or copy this one again."
                    : $"{path}: {length:N0} bytes, the manifest says {file.Bytes:N0}; the file was altered, use another snapshot.");
            }

            var sha = await Sha256Async(path, cancellationToken).ConfigureAwait(false);
            if (!string.Equals(sha, file.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                throw new SnapshotException($"{path}: SHA-256 {sha[..12]}… differs from the manifest's {file.Sha256[..Math.Min(12, file.Sha256.Length)]}…; the file was altered or damaged, use another snapshot.");
            }
        }
    }

    /// <summary>The lowercase hex SHA-256 of a file.</summary>
    public static async Task<string> Sha256Async(string path, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, useAsync: true);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
    }
}

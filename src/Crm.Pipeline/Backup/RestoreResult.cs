namespace Crm.Pipeline.Backup;

/// <summary>What a restore did.</summary>
/// <param name="Folder">The snapshot restored.</param>
/// <param name="Manifest">Its manifest.</param>
/// <param name="Migrated">Migrations applied after the restore (a snapshot of an earlier release).</param>
/// <param name="OutboxFiles">Outbox files put back.</param>
/// <param name="Elapsed">How long it took.</param>
public sealed record RestoreResult(string Folder, SnapshotManifest Manifest, IReadOnlyList<string> Migrated, int OutboxFiles, TimeSpan Elapsed);

namespace Crm.Pipeline.Backup;

/// <summary>One file of a snapshot.</summary>
/// <param name="Path">Relative to the snapshot folder, with '/'.</param>
/// <param name="Bytes">Its size.</param>
/// <param name="Sha256">Its SHA-256, lowercase hex.</param>
public sealed record SnapshotFile(string Path, long Bytes, string Sha256);

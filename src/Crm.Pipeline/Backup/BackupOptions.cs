namespace Crm.Pipeline.Backup;

/// <summary>
/// Where snapshots go and how many the <c>backup</c> stage keeps (bound from <c>Crm:Backup</c>). The stage runs only when a
/// schedule names it (<c>Crm:Schedules</c> with <c>Job: backup</c>) or someone runs it; it is not part of the nightly chain.
/// </summary>
public sealed class BackupOptions
{
    /// <summary>The folder snapshots are written to (by the stage and by <c>crm backup</c> without <c>--to</c>). Empty: <c>Crm:DataDirectory</c>/backups.</summary>
    public string Folder { get; set; } = "";

    /// <summary>Snapshots kept for the most recent days that have one (the newest of each day).</summary>
    public int KeepDaily { get; set; } = 7;

    /// <summary>Snapshots kept, beyond the daily ones, for the most recent ISO weeks before them (the newest of each week).</summary>
    public int KeepWeekly { get; set; } = 4;

    /// <summary>Free space (MB) the folder should keep after a snapshot; less raises an alert.</summary>
    public int MinFreeMegabytes { get; set; } = 1024;

    /// <summary>The folder to use: <see cref="Folder"/>, or <c>backups</c> under <paramref name="dataDirectory"/> when it is empty.</summary>
    public string ResolveFolder(string? dataDirectory) =>
        Path.GetFullPath(Folder.Length > 0 ? Folder : Path.Combine(string.IsNullOrEmpty(dataDirectory) ? ".crm" : dataDirectory, "backups"));
}

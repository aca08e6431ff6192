using Microsoft.Extensions.Options;

namespace Crm.Pipeline.Backup;

/// <summary>Checks <see cref="BackupOptions"/> at start: counts in range, a folder that is not a file.</summary>
internal sealed class BackupOptionsValidator : IValidateOptions<BackupOptions>
{
    public ValidateOptionsResult Validate(string? name, BackupOptions options)
    {
        var failures = new List<string>();
        if (options.KeepDaily < 1 || options.KeepDaily > 3660)
        {
            failures.Add($"Crm:Backup:KeepDaily must be 1..3660 (the newest snapshot always stays); got {options.KeepDaily}.");
        }

        if (options.KeepWeekly < 0 || options.KeepWeekly > 520)
        {
            failures.Add($"Crm:Backup:KeepWeekly must be 0..520; got {options.KeepWeekly}.");
        }

        if (options.MinFreeMegabytes < 0)
        {
            failures.Add($"Crm:Backup:MinFreeMegabytes must be 0 or more; got {options.MinFreeMegabytes}.");
        }

        if (options.Folder.Length > 0 && File.Exists(options.Folder))
        {
            failures.Add($"Crm:Backup:Folder '{options.Folder}' is a file, not a folder; give a folder for the snapshots.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

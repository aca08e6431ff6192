namespace Crm.Pipeline.Sources.Email.OAuth;

/// <summary>Reads a secret from an environment variable or a file only the service user can read.</summary>
internal static class SecretSource
{
    /// <summary>The secret, or null when neither is configured; throws <see cref="ImapSyncException"/> when a configured one is empty, missing or open to others.</summary>
    public static string? Read(string account, string setting, string? file, string? environmentVariable)
    {
        if (!string.IsNullOrEmpty(environmentVariable))
        {
            var value = Environment.GetEnvironmentVariable(environmentVariable);
            if (string.IsNullOrWhiteSpace(value))
            {
                throw new ImapSyncException($"IMAP account '{account}': the environment variable '{environmentVariable}' named in {setting}EnvironmentVariable is empty or unset; set it for the service (e.g. in crm.env).");
            }

            return value.Trim();
        }

        if (string.IsNullOrEmpty(file))
        {
            return null;
        }

        CheckPrivate(account, setting + "File", file);
        var text = File.ReadAllText(file).Trim();
        return text.Length > 0 ? text : throw new ImapSyncException($"IMAP account '{account}': {setting}File '{file}' is empty.");
    }

    /// <summary>Refuses a secret file that is missing or that the group or others may read.</summary>
    public static void CheckPrivate(string account, string setting, string file)
    {
        if (!File.Exists(file))
        {
            throw new ImapSyncException($"IMAP account '{account}': {setting} '{file}' does not exist; fix the path.");
        }

        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(file) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
        {
            throw new ImapSyncException($"IMAP account '{account}': {setting} '{file}' can be read by other users; run chmod 600 '{file}' (owned by the service user).");
        }
    }
}

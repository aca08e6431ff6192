namespace Crm.Pipeline.Sources;

/// <summary>
/// Checks the folders and file patterns sources read from, for the settings validators (at start) and the
/// stages (at run time, when a folder went away since): the answer says what is wrong in a few words.
/// </summary>
public static class SourceFolders
{
    /// <summary>Null when <paramref name="folder"/> exists and this user can list it; else what is wrong ("does not exist", …).</summary>
    public static string? Problem(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (!Directory.Exists(folder))
        {
            return File.Exists(folder) ? "is a file, not a folder" : "does not exist";
        }

        try
        {
            using var entries = Directory.EnumerateFileSystemEntries(folder).GetEnumerator();
            entries.MoveNext();
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return "cannot be read by this user (permissions)";
        }
        catch (IOException e)
        {
            return $"cannot be read ({e.Message.TrimEnd('.')})";
        }
    }

    /// <summary>Null when <paramref name="path"/> is a readable folder or file; else what is wrong.</summary>
    public static string? FolderOrFileProblem(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (File.Exists(path))
        {
            try
            {
                using var stream = File.OpenRead(path);
                return null;
            }
            catch (UnauthorizedAccessException)
            {
                return "cannot be read by this user (permissions)";
            }
            catch (IOException e)
            {
                return $"cannot be read ({e.Message.TrimEnd('.')})";
            }
        }

        return Directory.Exists(path) ? Problem(path) : "does not exist";
    }

    /// <summary>Null when <paramref name="pattern"/> is a file name pattern (<c>*.csv</c>); else what is wrong.</summary>
    public static string? PatternProblem(string? pattern)
    {
        if (string.IsNullOrWhiteSpace(pattern))
        {
            return "is empty (use * for every file)";
        }

        if (pattern.Contains('/', StringComparison.Ordinal) || pattern.Contains('\\', StringComparison.Ordinal) || pattern.Contains("..", StringComparison.Ordinal))
        {
            return "must be a file name pattern such as *.csv, without folders (put the folder in Folder)";
        }

        if (pattern.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
        {
            return "holds a character that cannot be in a file name";
        }

        return null;
    }

    /// <summary>The files of <paramref name="folder"/> matching <paramref name="pattern"/>, in ordinal order (what a stage would load).</summary>
    public static IReadOnlyList<string> Files(string folder, string pattern) =>
        Directory.GetFiles(folder, pattern).Order(StringComparer.Ordinal).ToList();
}

using System.Reflection;

namespace Crm.Pipeline.Warehouse;

/// <summary>
/// Loads SQL files embedded in this assembly by their file name, so the SQL stays in
/// readable <c>.sql</c> files next to the code that runs it.
/// </summary>
public static class SqlResource
{
    private static readonly Assembly Assembly = typeof(SqlResource).Assembly;

    /// <summary>Returns the text of the embedded SQL file whose name ends with <paramref name="fileName"/>.</summary>
    /// <exception cref="InvalidOperationException">No single embedded resource has that name.</exception>
    public static string Load(string fileName)
    {
        var matches = Assembly.GetManifestResourceNames()
            .Where(n => n.EndsWith("." + fileName, StringComparison.Ordinal))
            .ToList();
        if (matches.Count != 1)
        {
            throw new InvalidOperationException(
                $"Expected one embedded SQL resource named '{fileName}', found {matches.Count}.");
        }

        return Read(matches[0]);
    }

    /// <summary>Lists the embedded resources under <c>Warehouse/Migrations</c>, ordered by file name.</summary>
    public static IReadOnlyList<(string Name, string Sql)> Migrations()
    {
        const string marker = ".Warehouse.Migrations.";
        return Assembly.GetManifestResourceNames()
            .Where(n => n.Contains(marker, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n => (Name: n[(n.IndexOf(marker, StringComparison.Ordinal) + marker.Length)..^4], Resource: n))
            .OrderBy(m => m.Name, StringComparer.Ordinal)
            .Select(m => (m.Name, Read(m.Resource)))
            .ToList();
    }

    private static string Read(string resource)
    {
        using var stream = Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Embedded resource '{resource}' is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}

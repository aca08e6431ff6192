using System.Collections.Concurrent;
using System.Reflection;

namespace Crm.Pipeline.Warehouse;

/// <summary>
/// Loads SQL files embedded in this assembly, so the SQL stays in readable <c>.sql</c> files next to the code that
/// runs it. Crm.Pipeline.csproj embeds each file under the exact name <c>Crm.Sql.</c> + its file name (migrations
/// under <c>Crm.Migrations.</c>), and the compiler refuses two files of one name, so a name finds one file or none.
/// </summary>
public static class SqlResource
{
    private const string SqlPrefix = "Crm.Sql.";
    private const string MigrationPrefix = "Crm.Migrations.";

    private static readonly Assembly Assembly = typeof(SqlResource).Assembly;
    private static readonly ConcurrentDictionary<string, string> Cache = new(StringComparer.Ordinal);

    /// <summary>Returns the text of the embedded SQL file <paramref name="fileName"/> (e.g. <c>retention.sql</c>), read once.</summary>
    /// <exception cref="InvalidOperationException">No SQL file of that name is embedded (a bug: the name is a constant).</exception>
    public static string Load(string fileName) => Cache.GetOrAdd(fileName, static name => Read(SqlPrefix + name));

    /// <summary>Lists the embedded resources under <c>Warehouse/Migrations</c>, ordered by file name.</summary>
    public static IReadOnlyList<(string Name, string Sql)> Migrations() =>
        Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(MigrationPrefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n => (Name: n[MigrationPrefix.Length..^4], Resource: n))
            .OrderBy(m => m.Name, StringComparer.Ordinal)
            .Select(m => (m.Name, Read(m.Resource)))
            .ToList();

    private static string Read(string resource)
    {
        using var stream = Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"No embedded SQL resource '{resource}': the file must lie under src/Crm.Pipeline with that name.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}

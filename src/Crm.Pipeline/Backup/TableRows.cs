using System.Text.Json.Serialization;

namespace Crm.Pipeline.Backup;

/// <summary>Rows of one table in a snapshot.</summary>
/// <param name="Schema">Its schema.</param>
/// <param name="Table">Its name.</param>
/// <param name="Rows">Rows at the moment of the dump.</param>
public sealed record TableRows(string Schema, string Table, long Rows)
{
    /// <summary><c>schema.table</c>.</summary>
    [JsonIgnore]
    public string Name => $"{Schema}.{Table}";
}

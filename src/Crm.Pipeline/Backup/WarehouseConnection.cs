namespace Crm.Pipeline.Backup;

/// <summary>
/// The warehouse's full connection string (with its password), which the PostgreSQL tools (<c>pg_dump</c>) need and an
/// <c>NpgsqlDataSource</c> does not hand out. The host registers it beside the data source.
/// </summary>
/// <param name="ConnectionString">The connection string in use (configured, or the embedded cluster's).</param>
public sealed record WarehouseConnection(string ConnectionString);

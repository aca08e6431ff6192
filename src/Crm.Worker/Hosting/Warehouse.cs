using Microsoft.Extensions.Configuration;

namespace Crm.Worker.Hosting;

/// <summary>
/// Resolves the warehouse: a configured connection string (<c>ConnectionStrings:Warehouse</c>)
/// always wins; without one, the embedded PostgreSQL under <c>Crm:DataDirectory</c> is started.
/// </summary>
public sealed class Warehouse : IAsyncDisposable
{
    private readonly EmbeddedPostgres? _embedded;

    private Warehouse(string connectionString, EmbeddedPostgres? embedded)
    {
        ConnectionString = connectionString;
        _embedded = embedded;
    }

    /// <summary>The connection string in use.</summary>
    public string ConnectionString { get; }

    /// <summary>Whether the embedded PostgreSQL is in use.</summary>
    public bool IsEmbedded => _embedded is not null;

    /// <summary>Where the embedded cluster lives, when it is in use.</summary>
    public string? EmbeddedDirectory => _embedded?.RootDirectory;

    /// <summary>Resolves (and if needed starts) the warehouse.</summary>
    public static async Task<Warehouse> ResolveAsync(IConfiguration configuration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var configured = configuration.GetConnectionString("Warehouse");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return new Warehouse(configured, null);
        }

        var dataDirectory = configuration["Crm:DataDirectory"] is { Length: > 0 } d ? d : ".crm";
        var embedded = await EmbeddedPostgres.StartAsync(Path.Combine(dataDirectory, "postgres"), cancellationToken).ConfigureAwait(false);
        return new Warehouse(embedded.ConnectionString, embedded);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_embedded is not null)
        {
            await _embedded.DisposeAsync().ConfigureAwait(false);
        }
    }
}

using Crm.Pipeline.Warehouse;
using Crm.Worker.Hosting;
using Npgsql;

namespace Crm.IntegrationTests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL cluster for the whole test run, started with the machine's
/// initdb/pg_ctl (through the service's own embedded-PostgreSQL code) in a temporary folder on
/// a free loopback port. Each test class asks for its own fresh, migrated database.
/// </summary>
public sealed class PostgresCluster : IAsyncLifetime
{
    private EmbeddedPostgres? _server;
    private int _databases;

    /// <summary>Root folder of the throwaway cluster.</summary>
    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "crm-tests-" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>The running server.</summary>
    public EmbeddedPostgres Server => _server ?? throw new InvalidOperationException("Cluster not started.");

    /// <inheritdoc />
    public async Task InitializeAsync() => _server = await EmbeddedPostgres.StartAsync(Directory, CancellationToken.None);

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.StopAsync();
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Creates a new empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix = "t")
    {
        var name = $"{prefix}_{Interlocked.Increment(ref _databases)}_{Guid.NewGuid().ToString("N")[..6]}";
        await using (var admin = new NpgsqlConnection(Server.ConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"create database {name}", admin);
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(Server.ConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>Creates a new database, applies every migration, and returns a data source on it.</summary>
    public async Task<NpgsqlDataSource> CreateMigratedDatabaseAsync(string prefix = "t")
    {
        var dataSource = NpgsqlDataSource.Create(await CreateDatabaseAsync(prefix));
        await new Migrator(dataSource).MigrateAsync(CancellationToken.None);
        return dataSource;
    }
}

/// <summary>All integration tests share one cluster.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresCluster>
{
    /// <summary>The collection name to put on test classes.</summary>
    public const string Name = "postgres";
}

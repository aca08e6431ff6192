using Crm.Pipeline.Warehouse;
using Crm.Worker.Hosting;
using Npgsql;

namespace Crm.IntegrationTests.Infrastructure;

/// <summary>
/// The one throwaway PostgreSQL cluster of a test run, started with the machine's initdb/pg_ctl (through
/// the service's own embedded-PostgreSQL code) in a temporary folder on a free loopback port, once for every
/// collection that runs while another holds it (collections run in parallel), and stopped by the last. Each
/// test class asks for its own fresh database; a migrated one is a copy of a template migrated once per run.
/// </summary>
public sealed class PostgresCluster : IAsyncLifetime
{
    private const string TemplateName = "crm_migrated_template";

    // One server for every collection that runs at the same time: started by the first, stopped (and its folder
    // deleted) by the last one to finish, so a run leaves nothing behind in the temporary folder.
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static EmbeddedPostgres? _shared;
    private static string _sharedDirectory = "";
    private static Task? _template;
    private static int _users;
    private static int _databases;
    private EmbeddedPostgres? _server;

    /// <summary>Root folder of the throwaway cluster.</summary>
    public string Directory { get; private set; } = "";

    /// <summary>The running server.</summary>
    public EmbeddedPostgres Server => _server ?? throw new InvalidOperationException("Cluster not started.");

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_shared is null)
            {
                _sharedDirectory = Path.Combine(Path.GetTempPath(), "crm-tests-" + Guid.NewGuid().ToString("N")[..8]);
                _shared = await StartSharedAsync(_sharedDirectory);
                _template = null;
            }

            _users++;
            _server = _shared;
            Directory = _sharedDirectory;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (--_users > 0 || _shared is null)
            {
                return;
            }

            NpgsqlConnection.ClearAllPools();
            await _shared.StopAsync();
            _shared = null;
            try
            {
                System.IO.Directory.Delete(_sharedDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Creates a new empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix = "t") => await CreateAsync(prefix, template: null);

    /// <summary>
    /// Creates a new database with every migration applied (a copy of the run's migrated template, so the
    /// migrations run once per run, not once per test) and returns its connection string.
    /// </summary>
    public async Task<string> CreateMigratedConnectionStringAsync(string prefix = "t")
    {
        Task template;
        await Gate.WaitAsync();
        try
        {
            template = _template ??= MigrateTemplateAsync(Server);
        }
        finally
        {
            Gate.Release();
        }

        await template;
        return await CreateAsync(prefix, TemplateName);
    }

    /// <summary>Creates a new migrated database (see <see cref="CreateMigratedConnectionStringAsync"/>) and returns a data source on it.</summary>
    public async Task<NpgsqlDataSource> CreateMigratedDatabaseAsync(string prefix = "t") =>
        NpgsqlDataSource.Create(await CreateMigratedConnectionStringAsync(prefix));

    private async Task<string> CreateAsync(string prefix, string? template)
    {
        var name = $"{prefix}_{Interlocked.Increment(ref _databases)}_{Guid.NewGuid().ToString("N")[..6]}";
        await using (var admin = new NpgsqlConnection(Server.ConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand(template is null ? $"create database {name}" : $"create database {name} template {template}", admin);
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(Server.ConnectionString) { Database = name }.ConnectionString;
    }

    private static async Task<EmbeddedPostgres> StartSharedAsync(string directory)
    {
        var server = await EmbeddedPostgres.StartAsync(directory, CancellationToken.None);
        await using (var admin = new NpgsqlConnection(server.ConnectionString))
        {
            await admin.OpenAsync();
            // A throwaway cluster: no test survives an operating-system crash, so waiting for the disk buys nothing.
            // A killed server process still keeps what it wrote (the page cache has it), which is what the kill tests need.
            // ALTER SYSTEM refuses to run in a transaction, so one statement at a time.
            foreach (var sql in new[] { "alter system set fsync = off", "alter system set full_page_writes = off", "alter system set synchronous_commit = off", "select pg_reload_conf()" })
            {
                await using var setting = new NpgsqlCommand(sql, admin);
                await setting.ExecuteNonQueryAsync();
            }
        }

        return server;
    }

    private static async Task MigrateTemplateAsync(EmbeddedPostgres server)
    {
        await using (var admin = new NpgsqlConnection(server.ConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"create database {TemplateName}", admin);
            await create.ExecuteNonQueryAsync();
        }

        // No pooled connection may stay on the template: CREATE DATABASE ... TEMPLATE refuses a template in use.
        var connectionString = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = TemplateName, Pooling = false }.ConnectionString;
        await using (var dataSource = NpgsqlDataSource.Create(connectionString))
        {
            await new Migrator(dataSource).MigrateAsync(CancellationToken.None);
        }
    }
}

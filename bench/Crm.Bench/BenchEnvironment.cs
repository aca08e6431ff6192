using System.Diagnostics;
using Crm.Pipeline.Warehouse;
using Crm.Worker.Hosting;
using Npgsql;

namespace Crm.Bench;

/// <summary>
/// The warehouse a benchmark runs on: <c>CRM_BENCH_CONNECTION</c> if set, else a private embedded
/// PostgreSQL under <c>.crm/bench</c>. Each benchmark gets a fresh, migrated database.
/// </summary>
internal sealed class BenchEnvironment : IAsyncDisposable
{
    private readonly EmbeddedPostgres? _embedded;
    private readonly string _adminConnection;

    private BenchEnvironment(string adminConnection, EmbeddedPostgres? embedded)
    {
        _adminConnection = adminConnection;
        _embedded = embedded;
    }

    public static async Task<BenchEnvironment> StartAsync()
    {
        if (Environment.GetEnvironmentVariable("CRM_BENCH_CONNECTION") is { Length: > 0 } configured)
        {
            return new BenchEnvironment(configured, null);
        }

        var embedded = await EmbeddedPostgres.StartAsync(Path.Combine(".crm", "bench"), CancellationToken.None);
        return new BenchEnvironment(embedded.ConnectionString, embedded);
    }

    /// <summary>Creates a fresh database with every migration applied.</summary>
    public Task<NpgsqlDataSource> CreateDatabaseAsync(string name) => CreateDatabaseAsync(_adminConnection, name);

    /// <summary>
    /// Creates database <paramref name="name"/> on the server of <paramref name="adminConnection"/> (dropping
    /// one a previous run left) with every migration applied; its commands have no timeout.
    /// </summary>
    public static async Task<NpgsqlDataSource> CreateDatabaseAsync(string adminConnection, string name)
    {
        await using (var admin = new NpgsqlConnection(adminConnection))
        {
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"drop database if exists {name} with (force)", admin);
            await drop.ExecuteNonQueryAsync();
            await using var create = new NpgsqlCommand($"create database {name}", admin);
            await create.ExecuteNonQueryAsync();
        }

        var dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(adminConnection) { Database = name, CommandTimeout = 0 }.ConnectionString);
        await new Migrator(dataSource).MigrateAsync(CancellationToken.None);
        return dataSource;
    }

    /// <summary>
    /// Opens the database a previous run left (created and migrated if absent) and empties <paramref name="truncate"/>,
    /// so a later stage can be measured again without re-running the stages before it.
    /// </summary>
    public async Task<NpgsqlDataSource> ReuseDatabaseAsync(string name, IReadOnlyList<string> truncate)
    {
        await using (var admin = new NpgsqlConnection(_adminConnection))
        {
            await admin.OpenAsync();
            await using var exists = new NpgsqlCommand($"select 1 from pg_database where datname = '{name}'", admin);
            if (await exists.ExecuteScalarAsync() is null)
            {
                return await CreateDatabaseAsync(name);
            }
        }

        var dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(_adminConnection) { Database = name, CommandTimeout = 0 }.ConnectionString);
        await new Migrator(dataSource).MigrateAsync(CancellationToken.None);
        if (truncate.Count > 0)
        {
            await using var command = dataSource.CreateCommand($"truncate {string.Join(", ", truncate)} cascade");
            await command.ExecuteNonQueryAsync();
        }

        return dataSource;
    }

    /// <summary>Peak working set of this process so far, in MiB.</summary>
    public static double PeakMemoryMiB()
    {
        using var self = Process.GetCurrentProcess();
        return self.PeakWorkingSet64 / 1024.0 / 1024.0;
    }

    public async ValueTask DisposeAsync()
    {
        if (_embedded is not null)
        {
            await _embedded.DisposeAsync();
        }
    }
}

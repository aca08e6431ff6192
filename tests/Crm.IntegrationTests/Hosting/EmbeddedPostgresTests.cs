using System.Diagnostics;
using Crm.IntegrationTests.Infrastructure;
using Crm.Worker.Hosting;
using Npgsql;

namespace Crm.IntegrationTests.Hosting;

public sealed class EmbeddedPostgresTests
{
    [Fact]
    public async Task StartAsync_ReusesTheFolder_AndRecoversFromAKill9()
    {
        var dir = Path.Combine(Path.GetTempPath(), "crm-embedded-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var first = await EmbeddedPostgres.StartAsync(dir, CancellationToken.None);
            await ExecuteAsync(first.ConnectionString, "create table kept (v int); insert into kept values (42)");
            var pid = int.Parse(File.ReadLines(Path.Combine(dir, "pgdata", "postmaster.pid")).First(), System.Globalization.CultureInfo.InvariantCulture);
            NpgsqlConnection.ClearAllPools();

            // kill -9 the postmaster and wait (bounded) until it and its children are gone.
            Process.GetProcessById(pid).Kill(entireProcessTree: true);
            await Poll.UntilAsync(() => !Directory.Exists($"/proc/{pid}"), TimeSpan.FromSeconds(10));

            first.Detach();
            Assert.True(File.Exists(Path.Combine(dir, "pgdata", "postmaster.pid")), "the kill should leave a stale postmaster.pid behind");

            await using var second = await EmbeddedPostgres.StartAsync(dir, CancellationToken.None);
            await using var connection = new NpgsqlConnection(second.ConnectionString);
            await connection.OpenAsync();
            await using var read = new NpgsqlCommand("select v from kept", connection);
            Assert.Equal(42, await read.ExecuteScalarAsync());
            Assert.StartsWith("Host=127.0.0.1", second.ConnectionString, StringComparison.Ordinal);

            // Started for bulk loads, not with the defaults for a tiny shared host.
            await using var settings = new NpgsqlCommand(
                "select current_setting('max_wal_size'), current_setting('checkpoint_timeout'), pg_size_bytes(current_setting('shared_buffers'))", connection);
            await using var reader = await settings.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            Assert.Equal("4GB", reader.GetString(0));
            Assert.Equal("15min", reader.GetString(1));
            Assert.InRange(reader.GetInt64(2), 128L << 20, 2048L << 20);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}

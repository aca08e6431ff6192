using Npgsql;

namespace Crm.Pipeline.Warehouse;

/// <summary>
/// A session-level advisory lock held on a connection of its own, across any number of transactions, until
/// disposed; a process that dies releases it with its connection. Disposing unlocks explicitly: a pooled
/// connection keeps its session, and so its advisory locks, until it is next used.
/// </summary>
public sealed class SessionLock : IAsyncDisposable
{
    private readonly string _key;

    private SessionLock(NpgsqlConnection connection, string key)
    {
        Connection = connection;
        _key = key;
    }

    /// <summary>The connection holding the lock; commands on it run in the lock's session.</summary>
    public NpgsqlConnection Connection { get; }

    /// <summary>Waits for the lock named <paramref name="key"/> (hashed with <c>hashtextextended</c>) and holds it.</summary>
    public static async Task<SessionLock> AcquireAsync(NpgsqlDataSource dataSource, string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var take = new NpgsqlCommand("select pg_advisory_lock(hashtextextended(@k, 0))", connection) { CommandTimeout = 0 };
            take.Parameters.AddWithValue("k", key);
            await take.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return new SessionLock(connection, key);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Takes the lock named <paramref name="key"/> if no other session holds it; returns null, holding nothing,
    /// when one does.
    /// </summary>
    public static async Task<SessionLock?> TryAcquireAsync(NpgsqlDataSource dataSource, string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var take = new NpgsqlCommand("select pg_try_advisory_lock(hashtextextended(@k, 0))", connection);
            take.Parameters.AddWithValue("k", key);
            if (await take.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true)
            {
                return new SessionLock(connection, key);
            }
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        await connection.DisposeAsync().ConfigureAwait(false);
        return null;
    }

    /// <summary>Releases the lock, then the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (Connection.State == System.Data.ConnectionState.Open)
            {
                await using var release = new NpgsqlCommand("select pg_advisory_unlock(hashtextextended(@k, 0))", Connection);
                release.Parameters.AddWithValue("k", _key);
                await release.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
        }
        catch (NpgsqlException)
        {
            // Usually the session is gone (the server restarted, the connection broke), and its locks with it.
            // Should it still live, it must not go back to the pool holding the lock: drop it instead.
            NpgsqlConnection.ClearPool(Connection);
        }
        finally
        {
            await Connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}

using Npgsql;

namespace Crm.IntegrationTests.Infrastructure;

/// <summary>
/// The one bounded poll of the tests: ask a condition until it holds, something says waiting is in vain
/// (a process exited), or the time is up. Tests wait for states, never for fixed times, and assert on
/// the state afterwards, so a timeout fails with what was seen instead of hanging.
/// </summary>
public static class Poll
{
    /// <summary>How long to wait between asks unless a caller needs to look more often (to kill a process mid-load).</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Asks <paramref name="condition"/> until it is true (returns true), or <paramref name="giveUp"/> is true or <paramref name="timeout"/> passed (returns false).</summary>
    public static async Task<bool> UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<bool>? giveUp = null, TimeSpan? interval = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await condition())
            {
                return true;
            }

            if (DateTime.UtcNow >= deadline || (giveUp?.Invoke() ?? false))
            {
                return false;
            }

            await Task.Delay(interval ?? DefaultInterval);
        }
    }

    /// <summary>The same for a condition that needs no I/O of its own (a mail sink's inbox, a log file).</summary>
    public static Task<bool> UntilAsync(Func<bool> condition, TimeSpan timeout, Func<bool>? giveUp = null, TimeSpan? interval = null) =>
        UntilAsync(() => Task.FromResult(condition()), timeout, giveUp, interval);

    /// <summary>
    /// Polls the scalar <paramref name="sql"/> until it returns at least <paramref name="atLeast"/>, or the time is up; returns the
    /// last value. A connection error before the deadline is asked again (some tests restart the server); after it, it is thrown.
    /// </summary>
    public static async Task<long> UntilAtLeastAsync(NpgsqlDataSource dataSource, string sql, long atLeast, TimeSpan timeout, Func<bool>? giveUp = null, TimeSpan? interval = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        long value = 0;
        await UntilAsync(
            async () =>
            {
                try
                {
                    value = await dataSource.ScalarAsync<long>(sql);
                }
                catch (NpgsqlException) when (DateTime.UtcNow < deadline)
                {
                    return false;
                }

                return value >= atLeast;
            },
            timeout,
            giveUp,
            interval);
        return value;
    }
}

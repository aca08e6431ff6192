using Crm.IntegrationTests.Infrastructure;
using Npgsql;

namespace Crm.IntegrationTests.Operations;

/// <summary>Bounded polling of the warehouse: the fault tests wait for states, never for fixed times.</summary>
internal static class Waiting
{
    /// <summary>Polls <paramref name="sql"/> until it returns at least <paramref name="atLeast"/>, or the time is up; returns the last value.</summary>
    public static async Task<long> UntilAsync(NpgsqlDataSource dataSource, string sql, long atLeast, TimeSpan timeout, Func<bool>? giveUp = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            long value;
            try
            {
                value = await dataSource.ScalarAsync<long>(sql);
            }
            catch (NpgsqlException) when (DateTime.UtcNow < deadline)
            {
                // The server may be restarting (that is what some tests do): ask again.
                await Task.Delay(200);
                continue;
            }

            if (value >= atLeast || DateTime.UtcNow >= deadline || (giveUp?.Invoke() ?? false))
            {
                return value;
            }

            await Task.Delay(100);
        }
    }
}

using Npgsql;

namespace Crm.IntegrationTests.Infrastructure;

/// <summary>Small helpers for asserting on the warehouse with plain SQL.</summary>
public static class Sql
{
    /// <summary>Runs a scalar query and converts the result.</summary>
    public static async Task<T> ScalarAsync<T>(this NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        var value = await command.ExecuteScalarAsync();
        return (T)Convert.ChangeType(value!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Runs a statement.</summary>
    public static async Task ExecuteAsync(this NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }
}

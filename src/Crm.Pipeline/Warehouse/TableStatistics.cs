using Npgsql;

namespace Crm.Pipeline.Warehouse;

/// <summary>
/// Refreshes the planner's statistics of tables a stage just filled. Autovacuum analyses a table only some
/// time after it changed and never analyses a partitioned parent, so the next stage of the same night would
/// plan on the old figures: at a million customers the feature build saw 1,128 estimated customers for
/// 997,570 and looked up every order's customer one by one.
/// </summary>
public static class TableStatistics
{
    /// <summary>Rows written below which a stage leaves the statistics to autovacuum.</summary>
    public const long Threshold = 10_000;

    /// <summary>Analyses <paramref name="tables"/> when <paramref name="rowsWritten"/> reaches <see cref="Threshold"/>.</summary>
    /// <remarks>ANALYZE reads a fixed sample (30,000 rows at the default statistics target), so this costs about a second a table.</remarks>
    public static async Task RefreshAsync(NpgsqlDataSource dataSource, long rowsWritten, IReadOnlyList<string> tables, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(tables);
        if (rowsWritten < Threshold || tables.Count == 0)
        {
            return;
        }

        await using var command = dataSource.CreateCommand(string.Join("; ", tables.Select(t => "analyze " + t)));
        command.CommandTimeout = 0;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}

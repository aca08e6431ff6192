using Npgsql;

namespace Crm.Pipeline.Jobs;

/// <summary>Raises alerts into <c>ops.alert</c>, which the dashboard and the manager reports show until resolved.</summary>
public static class Alerts
{
    /// <summary>
    /// Raises an alert, or, when the same source already has an open alert with the same message, marks that one as
    /// raised again (<c>seen_at</c>). A stage attempt that succeeds without raising its open alert again resolves it
    /// (see <c>stage_finish.sql</c>).
    /// </summary>
    public static async Task RaiseAsync(NpgsqlDataSource dataSource, string source, string severity, string message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var command = dataSource.CreateCommand(
            """
            with seen as (
                update ops.alert set seen_at = now()
                 where source = @source and message = @message and resolved_at is null
                returning 1)
            insert into ops.alert (source, severity, message)
            select @source, @severity, @message
            where not exists (select 1 from seen)
            """);
        command.Parameters.AddWithValue("source", source);
        command.Parameters.AddWithValue("severity", severity);
        command.Parameters.AddWithValue("message", message);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}

using System.Net.Sockets;
using Npgsql;

namespace Crm.Pipeline.Warehouse;

/// <summary>
/// Tells a lost warehouse (the server restarting or shutting down, the connection broken or refused)
/// from every other database error. A lost warehouse is worth waiting for and retrying; anything
/// else (bad SQL, a constraint, a bad password) will fail the same way again.
/// </summary>
public static class WarehouseFaults
{
    /// <summary>
    /// True when <paramref name="exception"/> (or an exception it wraps) says the connection to PostgreSQL
    /// is gone or cannot be made now: SQL states of class 08 (connection exception), 57P01/57P02/57P03
    /// (admin or crash shutdown, starting up), or an I/O or socket failure under an <see cref="NpgsqlException"/>.
    /// </summary>
    public static bool IsConnectionLoss(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case PostgresException pg:
                    return pg.SqlState.StartsWith("08", StringComparison.Ordinal)
                        || pg.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow;
                case NpgsqlException npgsql when npgsql.InnerException is IOException or SocketException or TimeoutException or EndOfStreamException:
                    return true;
                case NpgsqlException npgsql when npgsql.InnerException is null && npgsql.IsTransient:
                    return true;
                case AggregateException aggregate when aggregate.InnerExceptions.Any(IsConnectionLoss):
                    return true;
            }
        }

        return false;
    }

    /// <summary>The one-line reason of a connection loss, for messages: the SQL state and message, or the innermost I/O error.</summary>
    public static string Reason(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is PostgresException pg)
            {
                return $"{pg.SqlState}: {pg.MessageText}";
            }
        }

        var innermost = exception;
        while (innermost.InnerException is not null)
        {
            innermost = innermost.InnerException;
        }

        return innermost.Message.ReplaceLineEndings(" ");
    }
}

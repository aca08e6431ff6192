using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Crm.Worker.Commands;

/// <summary>
/// Turns the exceptions a user causes (a wrong setting, a broken settings file, a warehouse that cannot be
/// reached) into the lines the command prints instead of a stack trace, with exit code 2 (usage, settings)
/// or 3 (an unreachable dependency). Anything else is a bug and keeps its stack trace.
/// </summary>
internal static class UserErrors
{
    private const string WarehouseSetting = "ConnectionStrings:Warehouse";

    /// <summary>
    /// The lines and exit code for <paramref name="exception"/>, or null when it is not a user error.
    /// <paramref name="configuredWarehouse"/> is the configured connection string (null: the embedded warehouse).
    /// </summary>
    public static (int ExitCode, IReadOnlyList<string> Lines)? Explain(Exception exception, Func<string?> configuredWarehouse)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(configuredWarehouse);
        if (ValidationFailures(exception) is { Count: > 0 } failures)
        {
            return (UserErrorException.SettingsExitCode, failures);
        }

        foreach (var e in Chain(exception))
        {
            switch (e)
            {
                case UserErrorException user:
                    return (user.ExitCode, [user.Message]);
                case Pipeline.Features.FeaturesMissingException missing:
                    return (UserErrorException.SettingsExitCode, [missing.Message]);
                case IOException bind when bind.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException:
                    return (UserErrorException.UnreachableExitCode,
                        [$"the dashboard cannot listen: {bind.Message.TrimEnd('.')}; another program (or another crm serve) has that port. "
                        + "Set ASPNETCORE_URLS (e.g. http://127.0.0.1:5081), stop the other one, or run crm serve --no-dashboard."]);
                case InvalidDataException { InnerException: FormatException format } when IsSettingsFile(format):
                    return (UserErrorException.SettingsExitCode, [BrokenSettingsFile(e, format)]);
                case FileNotFoundException missing when missing.Message.StartsWith("The configuration file", StringComparison.Ordinal):
                    return (UserErrorException.SettingsExitCode,
                        [$"{missing.FileName ?? "a settings file"}: settings file not found; give the path of an existing JSON file to --config."]);
                case InvalidOperationException binder when Settings.CrmSettings.Unconvertible(binder, null) is { } setting:
                    return (UserErrorException.SettingsExitCode, [setting]);
                case PostgresException pg when Warehouse(pg, configuredWarehouse()) is { } pgLine:
                    return pgLine;
                case NpgsqlException npgsql when Warehouse(npgsql, configuredWarehouse()) is { } line:
                    return line;
                case OperationCanceledException:
                    return (130, ["cancelled"]);
            }
        }

        return null;
    }

    /// <summary>Every options validation failure in <paramref name="exception"/> (one, or several from ValidateOnStart).</summary>
    public static List<string> ValidationFailures(Exception exception)
    {
        var failures = new List<string>();
        switch (exception)
        {
            case OptionsValidationException o:
                failures.AddRange(o.Failures);
                break;
            case AggregateException a when a.InnerExceptions.Count > 0 && a.InnerExceptions.All(i => i is OptionsValidationException):
                failures.AddRange(a.InnerExceptions.SelectMany(i => ((OptionsValidationException)i).Failures));
                break;
        }

        return failures;
    }

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            yield return e;
            if (e is AggregateException { InnerExceptions.Count: 1 } single && single.InnerExceptions[0] != e.InnerException)
            {
                e = single.InnerExceptions[0];
                yield return e;
            }
        }
    }

    private static bool IsSettingsFile(Exception e) =>
        e.Source is { } source && source.StartsWith("Microsoft.Extensions.Configuration", StringComparison.Ordinal);

    private static string BrokenSettingsFile(Exception load, FormatException format)
    {
        // "Failed to load configuration from file '/x/broken.json'." → the path.
        var message = load.Message;
        var first = message.IndexOf('\'', StringComparison.Ordinal);
        var last = message.LastIndexOf('\'');
        var file = first >= 0 && last > first ? message[(first + 1)..last] : "a settings file";
        if (format.InnerException is JsonException json)
        {
            var reason = json.Message;
            var cut = reason.IndexOf(" LineNumber:", StringComparison.Ordinal);
            if (cut > 0)
            {
                reason = reason[..cut];
            }

            var where = json.LineNumber is { } l ? $" line {l + 1}, column {(json.BytePositionInLine ?? 0) + 1}" : "";
            return $"{file}{where}: not valid JSON ({reason.TrimEnd('.')}); fix the file.";
        }

        return $"{file}: not a valid settings file ({format.Message.TrimEnd('.')}); fix the file.";
    }

    /// <summary>A failure to reach or log in to the warehouse, named by its setting.</summary>
    private static (int, IReadOnlyList<string>)? Warehouse(NpgsqlException exception, string? configured)
    {
        var setting = string.IsNullOrWhiteSpace(configured) ? "the embedded warehouse (Crm:DataDirectory)" : WarehouseSetting;
        var target = Describe(configured);
        if (exception is PostgresException pg)
        {
            return pg.SqlState switch
            {
                "28P01" => (UserErrorException.SettingsExitCode,
                    [$"{setting}: PostgreSQL at {target} refused the password of user '{User(configured)}' ({pg.MessageText}); check Username and Password."]),
                "28000" => (UserErrorException.SettingsExitCode,
                    [$"{setting}: PostgreSQL at {target} refused the login ({pg.MessageText}); check Username, Database, and the server's pg_hba.conf."]),
                "3D000" => (UserErrorException.SettingsExitCode,
                    [$"{setting}: PostgreSQL at {target} has no such database ({pg.MessageText}); check Database, or create it (createdb)."]),
                "57P03" or "57P01" or "53300" => (UserErrorException.UnreachableExitCode,
                    [$"{setting}: PostgreSQL at {target} cannot take connections now ({pg.MessageText}); try again when it is up."]),
                _ => null,
            };
        }

        var socket = FindInner<SocketException>(exception);
        if (socket is not null)
        {
            return socket.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => (UserErrorException.UnreachableExitCode,
                    [$"{setting}: nothing accepts connections at {target} (connection refused); start PostgreSQL there or fix Host and Port."]),
                SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData => (UserErrorException.UnreachableExitCode,
                    [$"{setting}: host '{Host(configured)}' is unknown (name lookup failed); fix Host."]),
                _ => (UserErrorException.UnreachableExitCode,
                    [$"{setting}: cannot reach PostgreSQL at {target} ({socket.SocketErrorCode}: {socket.Message}); check Host, Port and the network."]),
            };
        }

        if (FindInner<TimeoutException>(exception) is not null)
        {
            return (UserErrorException.UnreachableExitCode,
                [$"{setting}: PostgreSQL at {target} did not answer in time; check Host, Port and the network (Timeout in the connection string sets the wait)."]);
        }

        if (exception.IsTransient)
        {
            return (UserErrorException.UnreachableExitCode,
                [$"{setting}: lost or could not open the connection to PostgreSQL at {target} ({exception.Message.TrimEnd('.')}); check that it is running."]);
        }

        return null;
    }

    private static T? FindInner<T>(Exception exception)
        where T : Exception
    {
        for (var e = exception.InnerException; e is not null; e = e.InnerException)
        {
            if (e is T t)
            {
                return t;
            }
        }

        return null;
    }

    private static NpgsqlConnectionStringBuilder? Parse(string? configured)
    {
        if (string.IsNullOrWhiteSpace(configured))
        {
            return null;
        }

        try
        {
            return new NpgsqlConnectionStringBuilder(configured);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static string Describe(string? configured) =>
        Parse(configured) is { } b ? $"{b.Host}:{b.Port}" + (string.IsNullOrEmpty(b.Database) ? "" : $" (database '{b.Database}')") : "the configured server";

    private static string Host(string? configured) => Parse(configured)?.Host ?? "?";

    private static string User(string? configured) => Parse(configured)?.Username ?? "?";
}

using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Crm.Worker.Commands;

/// <summary>Checks <c>ConnectionStrings:Warehouse</c> before anything connects, so a typo is named as a setting.</summary>
internal static class WarehouseSetting
{
    /// <summary>The configured connection string, or null (the embedded warehouse).</summary>
    public static string? Configured(IConfiguration configuration) =>
        configuration.GetConnectionString("Warehouse") is { Length: > 0 } s && !string.IsNullOrWhiteSpace(s) ? s : null;

    /// <summary>Throws a <see cref="UserErrorException"/> naming the setting when the connection string does not parse.</summary>
    /// <exception cref="UserErrorException">The connection string is malformed or names no host.</exception>
    public static void ThrowIfMalformed(IConfiguration configuration)
    {
        if (Problem(configuration) is { } problem)
        {
            throw new UserErrorException(problem);
        }
    }

    /// <summary>Null when the connection string is empty (embedded) or parses; else the line naming the setting.</summary>
    public static string? Problem(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var configured = Configured(configuration);
        if (configured is null)
        {
            return null;
        }

        const string Shape = "write it as Host=…;Port=5432;Username=…;Password=…;Database=…";
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(configured);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException)
        {
            return $"ConnectionStrings:Warehouse is not a valid PostgreSQL connection string ({e.Message.TrimEnd('.')}); {Shape}.";
        }

        return string.IsNullOrWhiteSpace(builder.Host) ? $"ConnectionStrings:Warehouse names no Host; {Shape}." : null;
    }
}

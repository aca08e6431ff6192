using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Crm.Worker.Hosting;

/// <summary>
/// Logging setup shared by the service and the commands: console to stderr, or JSON lines
/// when <c>Crm:Logging:Json</c> is true; scopes (the run id) included on every line.
/// </summary>
public static class CrmLogging
{
    /// <summary>Configures <paramref name="logging"/>; commands pass a quieter default level.</summary>
    public static void Configure(ILoggingBuilder logging, IConfiguration configuration, LogLevel defaultLevel)
    {
        ArgumentNullException.ThrowIfNull(logging);
        ArgumentNullException.ThrowIfNull(configuration);
        logging.ClearProviders();
        if (defaultLevel <= LogLevel.Information)
        {
            // The service logs what the Logging section says; one-off commands print their own
            // summary and log only warnings and errors (Crm:Logging:Level raises or lowers that).
            logging.AddConfiguration(configuration.GetSection("Logging"));
        }

        logging.SetMinimumLevel(configuration.GetValue("Crm:Logging:Level", defaultLevel));
        if (configuration.GetValue<bool>("Crm:Logging:Json"))
        {
            logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }
        else
        {
            logging.AddSimpleConsole(o =>
            {
                o.IncludeScopes = true;
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss ";
            });
        }

        logging.AddFilter("Microsoft", LogLevel.Warning);
        logging.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
    }
}

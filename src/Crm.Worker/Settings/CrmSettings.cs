using System.Text.RegularExpressions;
using Crm.Pipeline;
using Crm.Pipeline.Churn;
using Crm.Pipeline.Clv;
using Crm.Pipeline.Identity;
using Crm.Pipeline.Jobs;
using Crm.Pipeline.Notifications;
using Crm.Dashboard.Auth;
using Crm.Pipeline.Display;
using Crm.Pipeline.Retention;
using Crm.Pipeline.Reports;
using Crm.Pipeline.Segments;
using Crm.Pipeline.Sources.Email;
using Crm.Pipeline.Sources.Orders;
using Crm.Pipeline.Sources.WebLogs;
using Crm.Worker.Commands;
using Crm.Worker.Scheduling;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Crm.Worker.Settings;

/// <summary>
/// Every setting of the worker checked at once: each options class through its <see cref="IValidateOptions{TOptions}"/>
/// (the same validators <c>ValidateOnStart</c> runs in the service), the dashboard users, the worker's own
/// numbers and the warehouse connection string. Each failure names the setting path and the value it got.
/// </summary>
public static partial class CrmSettings
{
    /// <summary>Registers the options the worker adds to the pipeline's (schedules), validated at start.</summary>
    public static IServiceCollection AddCrmWorkerOptions(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<SchedulesOptions>()
            .Configure(o => configuration.GetSection("Crm:Schedules").Bind(o.Items))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SchedulesOptions>, SchedulesValidator>());
        // The dead-man's switch does not count a night the nightly's calendar excludes.
        services.TryAddSingleton<Crm.Pipeline.Notifications.INightlyCalendar, NightlyScheduleCalendar>();
        return services;
    }

    /// <summary>Every failure in <paramref name="configuration"/>, in a stable order; empty when all settings are good.</summary>
    public static IReadOnlyList<string> Validate(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var failures = new List<string>();
        if (WarehouseSetting.Problem(configuration) is { } warehouse)
        {
            failures.Add(warehouse);
        }

        var services = new ServiceCollection();
        services.AddCrmPipeline(configuration);
        services.AddCrmWorkerOptions(configuration);
        using (var provider = services.BuildServiceProvider())
        {
            Check<OrdersOptions>(provider, configuration, failures);
            Check<WebLogsOptions>(provider, configuration, failures);
            Check<EmailOptions>(provider, configuration, failures);
            Check<IdentityOptions>(provider, configuration, failures);
            Check<ChurnOptions>(provider, configuration, failures);
            Check<Pipeline.Features.FeaturesOptions>(provider, configuration, failures);
            Check<ClvOptions>(provider, configuration, failures);
            Check<SegmentOptions>(provider, configuration, failures);
            Check<ReportsOptions>(provider, configuration, failures);
            Check<RetentionOptions>(provider, configuration, failures);
            Check<Pipeline.Backup.BackupOptions>(provider, configuration, failures);
            Check<JobRetryOptions>(provider, configuration, failures);
            Check<SchedulesOptions>(provider, configuration, failures);
            Check<NotificationsOptions>(provider, configuration, failures);
            Check<DisplayOptions>(provider, configuration, failures);
        }

        ListItems(configuration, failures);

        failures.AddRange(DashboardUserRules.Validate(configuration.GetSection("Crm:Dashboard:Users").GetChildren()
            .Select(u => (u["Name"], u["PasswordHash"], (string?)(u["Role"] ?? "viewer"))).ToList()));
        Number(configuration, "Crm:Worker:WorkerCount", 1, 1000, failures);
        Number(configuration, "Crm:Worker:ShutdownSeconds", 6, 3600, failures);
        Number(configuration, "Crm:Worker:InvisibilityTimeoutSeconds", 5, 86_400, failures);
        Number(configuration, "Crm:Scheduler:CheckinSeconds", 1, 3600, failures);
        return failures;
    }

    /// <summary>Throws when any setting is wrong, listing every failure (<see cref="OptionsValidationException.Failures"/>).</summary>
    /// <exception cref="OptionsValidationException">At least one setting is wrong.</exception>
    public static void ThrowIfInvalid(IConfiguration configuration)
    {
        var failures = Validate(configuration);
        if (failures.Count > 0)
        {
            throw new OptionsValidationException("Crm", typeof(CrmSettings), failures);
        }
    }

    private static void Check<T>(IServiceProvider provider, IConfiguration configuration, List<string> failures)
        where T : class
    {
        try
        {
            _ = provider.GetRequiredService<IOptions<T>>().Value;
        }
        catch (OptionsValidationException e)
        {
            failures.AddRange(e.Failures);
        }
        catch (InvalidOperationException e) when (Unconvertible(e, configuration) is { } line)
        {
            failures.Add(line);
        }
    }

    // The binder skips a list item it cannot convert without a word (a feed with Tls: "sometimes" vanishes), so every
    // item of every list is bound on its own here and a failure is named.
    private static readonly (string Path, Type Item)[] Lists =
    [
        ("Crm:Orders:Feeds", typeof(OrderFeedOptions)),
        ("Crm:WebLogs:Sources", typeof(WebLogSourceOptions)),
        ("Crm:Email:Imap:Accounts", typeof(ImapAccountOptions)),
        ("Crm:Reports:Recipients", typeof(RecipientOptions)),
        ("Crm:Reports:Calendar:Weekend", typeof(DayOfWeek)),
        ("Crm:Reports:Calendar:Holidays", typeof(DateOnly)),
        ("Crm:Schedules", typeof(ScheduleOptions)),
        ("Crm:Notifications:Webhooks", typeof(WebhookOptions)),
        ("Crm:Notifications:Silences", typeof(SilenceOptions)),
    ];

    private static void ListItems(IConfiguration configuration, List<string> failures)
    {
        foreach (var (path, item) in Lists)
        {
            foreach (var child in configuration.GetSection(path).GetChildren())
            {
                try
                {
                    _ = child.Get(item);
                }
                catch (InvalidOperationException e) when (Unconvertible(e, configuration) is { } line)
                {
                    if (!failures.Contains(line))
                    {
                        failures.Add(line);
                    }
                }
            }
        }
    }

    private static void Number(IConfiguration configuration, string key, int minimum, int maximum, List<string> failures)
    {
        var text = configuration[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return;
        }

        if (!int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value))
        {
            failures.Add($"{key} '{text}' must be a whole number ({minimum}..{maximum}).");
        }
        else if (value < minimum || value > maximum)
        {
            failures.Add($"{key} must be {minimum}..{maximum}; got {value}.");
        }
    }

    /// <summary>
    /// The binder's "Failed to convert configuration value at 'Crm:…:Tls' to type '…ImapTlsMode'" as a line
    /// naming the setting, its value and, for a choice, the values it accepts.
    /// </summary>
    internal static string? Unconvertible(InvalidOperationException e, IConfiguration? configuration)
    {
        var match = ConvertFailure().Match(e.Message);
        if (!match.Success)
        {
            return null;
        }

        var path = match.Groups["path"].Value;
        var typeName = match.Groups["type"].Value;
        var type = AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(typeName)).FirstOrDefault(t => t is not null);
        type = type is null ? null : Nullable.GetUnderlyingType(type) ?? type;
        var expected = type switch
        {
            { IsEnum: true } => "one of " + string.Join(", ", Enum.GetNames(type)),
            _ when type == typeof(int) || type == typeof(long) => "a whole number",
            _ when type == typeof(double) || type == typeof(decimal) => "a number (with a '.' for decimals)",
            _ when type == typeof(bool) => "true or false",
            _ when type == typeof(DateOnly) => "a date (yyyy-MM-dd)",
            _ when type == typeof(DateTimeOffset) || type == typeof(DateTime) => "a date and time (ISO 8601, e.g. 2024-01-31T08:00:00Z)",
            _ when type == typeof(DayOfWeek) => "a weekday (Monday … Sunday)",
            _ => "a " + (type?.Name ?? typeName),
        };
        return configuration is null ? $"{path} must be {expected}." : $"{path} '{configuration[path]}' must be {expected}.";
    }

    [GeneratedRegex(@"at '(?<path>[^']+)' to type '(?<type>[^']+)'")]
    private static partial Regex ConvertFailure();
}

using System.Globalization;
using Crm.Pipeline.Jobs;
using Microsoft.Extensions.Options;
using Quartz;

namespace Crm.Worker.Scheduling;

/// <summary>
/// Checks every schedule at start-up and names the setting that is wrong, so a bad cron or
/// time zone stops the service at start rather than at 2 a.m.
/// </summary>
public sealed class SchedulesValidator : IValidateOptions<SchedulesOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, SchedulesOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Items.Count; i++)
        {
            var s = options.Items[i];
            var key = $"Crm:Schedules:{i}";
            if (string.IsNullOrWhiteSpace(s.Name))
            {
                failures.Add($"{key}:Name is empty.");
            }
            else if (!names.Add(s.Name))
            {
                failures.Add($"{key}:Name '{s.Name}' is used twice.");
            }

            if (!CronExpression.TryParse(s.Cron, out _))
            {
                failures.Add($"{key}:Cron '{s.Cron}' is not a valid Quartz cron expression (seconds minutes hours day-of-month month day-of-week, e.g. '0 0 2 * * ?').");
            }

            try
            {
                TimeZoneInfo.FindSystemTimeZoneById(s.TimeZone);
            }
            catch (TimeZoneNotFoundException)
            {
                failures.Add($"{key}:TimeZone '{s.TimeZone}' is not a known IANA time zone (e.g. 'Europe/Berlin').");
            }

            if (s.Job != "nightly" && !PipelineStages.Order.Contains(s.Job) && s.Job != "reports")
            {
                failures.Add($"{key}:Job '{s.Job}' is neither 'nightly' nor a stage ({string.Join(", ", PipelineStages.Order)}).");
            }

            foreach (var date in s.ExcludedDates)
            {
                if (!DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
                {
                    failures.Add($"{key}:ExcludedDates has '{date}', expected yyyy-MM-dd.");
                }
            }

            if (s.Misfire is not ("FireOnceNow" or "Skip"))
            {
                failures.Add($"{key}:Misfire '{s.Misfire}' must be FireOnceNow or Skip.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

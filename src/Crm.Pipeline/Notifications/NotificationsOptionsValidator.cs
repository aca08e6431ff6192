using Microsoft.Extensions.Options;

namespace Crm.Pipeline.Notifications;

/// <summary>Checks <c>Crm:Notifications</c> at start: every failure names the setting, the value it got and what it takes.</summary>
public sealed class NotificationsOptionsValidator : IValidateOptions<NotificationsOptions>
{
    private static readonly string[] Sources = ["orders", "weblogs", "email"];

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, NotificationsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        for (var i = 0; i < options.Emails.Count; i++)
        {
            var address = options.Emails[i];
            if (string.IsNullOrWhiteSpace(address) || !address.Contains('@', StringComparison.Ordinal) || !MimeKit.MailboxAddress.TryParse(address, out _))
            {
                failures.Add($"Crm:Notifications:Emails:{i} must be an email address; got '{address}'.");
            }
        }

        if (options.Emails.Count > 0 && string.IsNullOrWhiteSpace(options.Smtp.Host))
        {
            failures.Add("Crm:Notifications:Emails needs an SMTP server: set Crm:Reports:Smtp:Host (the server the reports use), or remove the addresses.");
        }

        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.Webhooks.Count; i++)
        {
            var hook = options.Webhooks[i];
            if (!Uri.TryCreate(hook.Url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                // The URL may carry a token: name the setting, not the value.
                failures.Add($"Crm:Notifications:Webhooks:{i}:Url must be an http:// or https:// URL.");
            }
            else if (!names.Add(hook.EffectiveName))
            {
                failures.Add($"Crm:Notifications:Webhooks:{i}:Name '{hook.EffectiveName}' is used by another webhook; give each webhook its own Name.");
            }

            if (hook.TimeoutSeconds is < 1 or > 300)
            {
                failures.Add($"Crm:Notifications:Webhooks:{i}:TimeoutSeconds must be 1..300; got {hook.TimeoutSeconds}.");
            }
        }

        var silenced = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Silences.Count; i++)
        {
            var silence = options.Silences[i];
            if (!Sources.Contains(silence.Source))
            {
                failures.Add($"Crm:Notifications:Silences:{i}:Source must be orders, weblogs or email; got '{silence.Source}'.");
            }
            else if (!silenced.Add(silence.Source))
            {
                failures.Add($"Crm:Notifications:Silences:{i}:Source '{silence.Source}' is listed twice; keep one entry per source.");
            }

            if (!Durations.TryParse(silence.After, out _))
            {
                failures.Add($"Crm:Notifications:Silences:{i}:After must be a duration such as 26h, 90m or 2d; got '{silence.After}'.");
            }
        }

        Time(options.Nightly.StartBy, "Crm:Notifications:Nightly:StartBy", failures);
        Time(options.Nightly.FinishBy, "Crm:Notifications:Nightly:FinishBy", failures);
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(options.Nightly.TimeZone, out _))
        {
            failures.Add($"Crm:Notifications:Nightly:TimeZone must be an IANA time zone such as Europe/Berlin; got '{options.Nightly.TimeZone}'.");
        }

        if (options.CheckSeconds is < 1 or > 3600)
        {
            failures.Add($"Crm:Notifications:CheckSeconds must be 1..3600; got {options.CheckSeconds}.");
        }

        if (options.RetrySeconds is < 1 or > 86_400)
        {
            failures.Add($"Crm:Notifications:RetrySeconds must be 1..86400; got {options.RetrySeconds}.");
        }

        if (options.MaxAttempts is < 1 or > 1000)
        {
            failures.Add($"Crm:Notifications:MaxAttempts must be 1..1000; got {options.MaxAttempts}.");
        }

        if (!string.IsNullOrWhiteSpace(options.DashboardUrl) && !Uri.TryCreate(options.DashboardUrl, UriKind.Absolute, out _))
        {
            failures.Add($"Crm:Notifications:DashboardUrl must be an absolute URL such as https://crm.example.com; got '{options.DashboardUrl}'.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Time(string? text, string path, List<string> failures)
    {
        if (!string.IsNullOrWhiteSpace(text) && !Durations.TryParseTimeOfDay(text, out _))
        {
            failures.Add($"{path} must be a time of day HH:mm (24 h); got '{text}'.");
        }
    }
}

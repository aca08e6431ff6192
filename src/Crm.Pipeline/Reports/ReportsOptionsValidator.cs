using Microsoft.Extensions.Options;

namespace Crm.Pipeline.Reports;

/// <summary>Checks <c>Crm:Reports</c> at start: every failure names the setting and the value it got.</summary>
public sealed class ReportsOptionsValidator : IValidateOptions<ReportsOptions>
{
    private static readonly string[] Cadences = ["daily", "weekly", "monthly"];
    private static readonly string[] Securities = ["none", "starttls", "ssl", "tls"];

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ReportsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ReportName))
        {
            failures.Add("Crm:Reports:ReportName must not be empty.");
        }

        if (!string.IsNullOrWhiteSpace(options.Currency) && !IsCurrencyCode(options.Currency))
        {
            failures.Add($"Crm:Reports:Currency must be a three-letter ISO 4217 code such as EUR; got '{options.Currency}'.");
        }

        foreach (var (code, rate) in options.ExchangeRates)
        {
            if (!IsCurrencyCode(code) || rate <= 0)
            {
                failures.Add($"Crm:Reports:ExchangeRates:{code} must be a three-letter currency code with a positive rate (units per one {options.Currency ?? "report currency"}); got {rate}.");
            }
        }

        if (options.ExchangeRates.Count > 0 && string.IsNullOrWhiteSpace(options.Currency))
        {
            failures.Add("Crm:Reports:ExchangeRates is set but Crm:Reports:Currency is not: name the currency the rates are quoted against (e.g. EUR).");
        }

        foreach (var (setting, value, max) in new[] { ("AtRiskRows", options.AtRiskRows, 1000), ("RiskRiserRows", options.RiskRiserRows, 1000), ("AtRiskCsvRows", options.AtRiskCsvRows, 100_000) })
        {
            if (value < 1 || value > max)
            {
                failures.Add($"Crm:Reports:{setting} is the number of rows to show and must be 1–{max}; got {value}.");
            }
        }

        for (var i = 0; i < options.Recipients.Count; i++)
        {
            var r = options.Recipients[i];
            var at = $"Crm:Reports:Recipients:{i}";
            if (string.IsNullOrWhiteSpace(r.Address) || !MimeKit.MailboxAddress.TryParse(r.Address, out _) || !r.Address.Contains('@', StringComparison.Ordinal))
            {
                failures.Add($"{at}:Address must be an email address; got '{r.Address}'.");
            }

            if (!TimeZoneInfo.TryFindSystemTimeZoneById(r.TimeZone, out _))
            {
                failures.Add($"{at}:TimeZone must be an IANA time zone such as Europe/Berlin; got '{r.TimeZone}'.");
            }

            if (!Cadences.Contains(r.Cadence))
            {
                failures.Add($"{at}:Cadence must be daily, weekly or monthly; got '{r.Cadence}'.");
            }

            if (r.Hour is < 0 or > 23)
            {
                failures.Add($"{at}:Hour must be 0–23; got {r.Hour}.");
            }

            if (r.DayOfMonth is < 1 or > 28)
            {
                failures.Add($"{at}:DayOfMonth must be 1–28 (every month has it); got {r.DayOfMonth}.");
            }

            if (!ReportLabels.Available.Contains(string.IsNullOrWhiteSpace(r.Language) ? "en" : r.Language.ToLowerInvariant()))
            {
                failures.Add($"{at}:Language must be one of {string.Join(", ", ReportLabels.Available)}; got '{r.Language}'.");
            }
        }

        if (!string.IsNullOrWhiteSpace(options.Smtp.Host))
        {
            if (options.Smtp.Port is < 1 or > 65535)
            {
                failures.Add($"Crm:Reports:Smtp:Port must be 1–65535; got {options.Smtp.Port}.");
            }

            if (!Securities.Contains(options.Smtp.Security.ToLowerInvariant()))
            {
                failures.Add($"Crm:Reports:Smtp:Security must be none, starttls or ssl; got '{options.Smtp.Security}'.");
            }

            if (!string.IsNullOrEmpty(options.Smtp.User) && string.IsNullOrEmpty(options.Smtp.Password))
            {
                failures.Add("Crm:Reports:Smtp:Password is empty while a user is set; set it in the environment (Crm__Reports__Smtp__Password).");
            }
        }

        if (string.IsNullOrWhiteSpace(options.Smtp.From) || !options.Smtp.From.Contains('@', StringComparison.Ordinal))
        {
            failures.Add($"Crm:Reports:Smtp:From must be an email address; got '{options.Smtp.From}'.");
        }

        if (options.ChurnAfterDays is < 1 or > 3650)
        {
            failures.Add($"Crm:Reports:ChurnAfterDays must be 1–3650; got {options.ChurnAfterDays}.");
        }

        if (options.AttemptsPerRun < 1 || options.MaxAttempts < 1)
        {
            failures.Add($"Crm:Reports:AttemptsPerRun and MaxAttempts must be at least 1; got {options.AttemptsPerRun} and {options.MaxAttempts}.");
        }

        if (options.RetryDelaySeconds < 0 || options.NextRunBackoffMinutes < 0 || options.ClaimLeaseMinutes <= 0)
        {
            failures.Add("Crm:Reports:RetryDelaySeconds and NextRunBackoffMinutes must not be negative, ClaimLeaseMinutes must be positive.");
        }

        if ((options.Calendar.Weekend?.Distinct().Count() ?? 2) >= 7)
        {
            failures.Add("Crm:Reports:Calendar:Weekend lists all seven days: no report could ever go out.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsCurrencyCode(string code) => code.Length == 3 && code.All(char.IsAsciiLetter);
}

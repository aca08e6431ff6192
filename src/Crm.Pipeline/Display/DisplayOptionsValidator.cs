using Microsoft.Extensions.Options;

namespace Crm.Pipeline.Display;

/// <summary>Checks <c>Crm:Display</c> at start.</summary>
public sealed class DisplayOptionsValidator : IValidateOptions<DisplayOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, DisplayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return string.IsNullOrWhiteSpace(options.TimeZone) || TimeZoneInfo.TryFindSystemTimeZoneById(options.TimeZone, out _)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"Crm:Display:TimeZone must be an IANA time zone such as Europe/Berlin; got '{options.TimeZone}'.");
    }
}

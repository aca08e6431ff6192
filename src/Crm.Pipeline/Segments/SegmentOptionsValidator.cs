using Microsoft.Extensions.Options;

namespace Crm.Pipeline.Segments;

/// <summary>Checks <c>Crm:Segments</c> at start: every failure names the setting and the value it got.</summary>
public sealed class SegmentOptionsValidator : IValidateOptions<SegmentOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, SegmentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.Clusters is < 2 or > 50)
        {
            failures.Add($"Crm:Segments:Clusters must be 2..50; got {options.Clusters}.");
        }

        if (options.MaxFitCustomers < 0 || (options.MaxFitCustomers > 0 && options.MaxFitCustomers < options.Clusters))
        {
            failures.Add($"Crm:Segments:MaxFitCustomers must be 0 (fit on everyone) or at least Clusters ({options.Clusters}); got {options.MaxFitCustomers}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

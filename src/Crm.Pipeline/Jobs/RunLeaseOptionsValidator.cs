using Microsoft.Extensions.Options;

namespace Crm.Pipeline.Jobs;

/// <summary>Checks <see cref="RunLeaseOptions"/> at start; every failure names its setting and the value it got.</summary>
public sealed class RunLeaseOptionsValidator : IValidateOptions<RunLeaseOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, RunLeaseOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.HeartbeatSeconds is < 1 or > 600)
        {
            failures.Add($"Crm:Worker:HeartbeatSeconds must be between 1 and 600 (seconds); got {options.HeartbeatSeconds}.");
        }

        if (options.BookkeepingRetrySeconds is < 0 or > 3600)
        {
            failures.Add($"Crm:Worker:BookkeepingRetrySeconds must be between 0 and 3600 (seconds); got {options.BookkeepingRetrySeconds}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

using Microsoft.Extensions.Options;

namespace Crm.Pipeline.Jobs;

/// <summary>Checks <c>Crm:Worker:RetryAttempts</c> and <c>RetryDelaysSeconds</c> at start (<see cref="JobRetryOptions.Validate"/>).</summary>
public sealed class JobRetryOptionsValidator : IValidateOptions<JobRetryOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, JobRetryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = options.Validate();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

namespace Crm.Pipeline.Jobs;

/// <summary>
/// How Hangfire retries a failed job (a stage, a ping): bound from <c>Crm:Worker</c>
/// (<c>RetryAttempts</c>, <c>RetryDelaysSeconds</c>). Every stage is idempotent, so a retry is
/// always safe; the delays give a restarting database or a full disk time to come back.
/// </summary>
public sealed class JobRetryOptions
{
    /// <summary>The delays used when <see cref="RetryDelaysSeconds"/> is empty: 30 s, 2 min, 10 min.</summary>
    public static readonly IReadOnlyList<int> DefaultDelaysSeconds = [30, 120, 600];

    /// <summary>Retries after the first failure before the job (and its run) counts as failed. Default 3.</summary>
    public int RetryAttempts { get; set; } = 3;

    /// <summary>
    /// Wait before retry 1, 2, … in seconds; the last value repeats. Empty → <see cref="DefaultDelaysSeconds"/>.
    /// </summary>
    public int[] RetryDelaysSeconds { get; set; } = [];

    /// <summary>The delays in effect (<see cref="RetryDelaysSeconds"/>, or the defaults when none are set).</summary>
    public IReadOnlyList<int> EffectiveDelaysSeconds => RetryDelaysSeconds.Length == 0 ? DefaultDelaysSeconds : RetryDelaysSeconds;

    /// <summary>Checks the settings; returns one message per bad value, naming the setting.</summary>
    public IReadOnlyList<string> Validate()
    {
        var failures = new List<string>();
        if (RetryAttempts is < 0 or > 50)
        {
            failures.Add($"Crm:Worker:RetryAttempts must be between 0 and 50; got {RetryAttempts}.");
        }

        for (var i = 0; i < RetryDelaysSeconds.Length; i++)
        {
            if (RetryDelaysSeconds[i] < 0)
            {
                failures.Add($"Crm:Worker:RetryDelaysSeconds:{i} must be 0 or more seconds; got {RetryDelaysSeconds[i]}.");
            }
        }

        return failures;
    }
}

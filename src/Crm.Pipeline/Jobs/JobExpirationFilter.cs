using Hangfire.Common;
using Hangfire.States;
using Hangfire.Storage;

namespace Crm.Pipeline.Jobs;

/// <summary>
/// Hangfire's job expiry (<c>ApplyStateContext.JobExpirationTimeout</c>, one day by default) set from
/// <c>Crm:Retention:HangfireJobDays</c>: how long a finished job stays visible on the dashboard before
/// Hangfire's expiration manager removes it. Registered as a global filter by every Hangfire client and server.
/// </summary>
public sealed class JobExpirationFilter : JobFilterAttribute, IApplyStateFilter
{
    /// <summary>Creates the filter; <paramref name="days"/> of 0 leaves Hangfire's default.</summary>
    public JobExpirationFilter(int days) => Timeout = days > 0 ? TimeSpan.FromDays(days) : null;

    /// <summary>The expiry applied, or null for Hangfire's default.</summary>
    public TimeSpan? Timeout { get; }

    /// <inheritdoc />
    public void OnStateApplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (Timeout is { } timeout)
        {
            context.JobExpirationTimeout = timeout;
        }
    }

    /// <inheritdoc />
    public void OnStateUnapplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
    {
    }
}

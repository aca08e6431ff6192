using Crm.Pipeline.Warehouse;
using Npgsql;

namespace Crm.Pipeline.Identity;

/// <summary>What an admin chose for a review item.</summary>
public enum ReviewChoice
{
    /// <summary>One person: a manual link.</summary>
    Merge,

    /// <summary>Two people: a manual split.</summary>
    KeepApart,

    /// <summary>Not now: the item stays pending, listed after the others.</summary>
    Skip,
}

/// <summary>
/// Decisions on the identity review queue (<c>ops.identity_review</c>). Merge and keep apart become manual decisions
/// (<c>identity.manual_decision</c>), which every later identity run applies and feeds to its next model fit as labelled
/// pairs; a new decision makes the next run in auto mode a full one.
/// </summary>
public sealed class ReviewQueue
{
    private readonly NpgsqlDataSource _dataSource;

    /// <summary>Creates the queue over the warehouse.</summary>
    public ReviewQueue(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    /// <summary>Records <paramref name="choice"/> on item <paramref name="reviewId"/> by <paramref name="decidedBy"/>.</summary>
    /// <returns>Null when recorded; otherwise why not (the item is not pending: decided meanwhile, or gone after a run).</returns>
    public async Task<string?> DecideAsync(long reviewId, ReviewChoice choice, string decidedBy, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(decidedBy);
        await using var command = choice == ReviewChoice.Skip
            ? _dataSource.CreateCommand(
                "update ops.identity_review set skipped_at = now(), skipped_by = @decided_by, updated_at = now() where review_id = @review_id and status = 'pending' returning review_id")
            : _dataSource.CreateCommand(SqlResource.Load("review_decide.sql"));
        command.Parameters.AddWithValue("review_id", reviewId);
        command.Parameters.AddWithValue("decided_by", decidedBy);
        if (choice != ReviewChoice.Skip)
        {
            command.Parameters.AddWithValue("decision", choice == ReviewChoice.Merge ? "link" : "split");
            command.Parameters.AddWithValue("status", choice == ReviewChoice.Merge ? "merged" : "kept_apart");
        }

        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is null
            ? $"Review item {reviewId} is no longer pending (decided by someone else, or gone after an identity run); reload the page."
            : null;
    }
}

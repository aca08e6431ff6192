namespace Crm.Pipeline.Identity;

/// <summary>
/// The uncertain band of the review queue (bound from <c>Crm:Identity:Review</c>). A scored candidate pair whose match
/// probability lies in [<see cref="Lower"/>, <see cref="Upper"/>) and that agrees on some field besides the names is
/// neither merged nor split silently: it becomes a review item in <c>ops.identity_review</c>, and until an admin
/// decides, the run keeps the two records apart (the pair's own link is not made; records still join when other links
/// put them in one cluster, and the item then goes, as nothing is left to decide). Pairs that share only a name are
/// left to the matcher's rules (kept apart): common names would fill the queue with strangers.
/// </summary>
public sealed class ReviewOptions
{
    /// <summary>The lowest match probability that goes to review. Default 0.5 (even odds).</summary>
    public double Lower { get; set; } = 0.5;

    /// <summary>
    /// The match probability from which a pair links without review (exclusive end of the band). Default 0.99: pairs
    /// scored between 0.9 (the default <see cref="MatchingOptions.MatchThreshold"/>) and 0.99 are held for an admin
    /// rather than merged, and those between 0.5 and 0.9 rather than kept apart. On the demo's data the pairs that
    /// agree beyond their names score either above 0.999 (all rightly linked) or in this band. Equal to <see cref="Lower"/>, the band is empty and nothing goes to review.
    /// </summary>
    public double Upper { get; set; } = 0.99;

    /// <summary>Whether <paramref name="probability"/> lies in the band.</summary>
    public bool Contains(double probability) => probability >= Lower && probability < Upper;
}

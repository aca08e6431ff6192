namespace Crm.Pipeline.Segments;

/// <summary>Segment settings, bound from <c>Crm:Segments</c>.</summary>
public sealed class SegmentOptions
{
    /// <summary>Also cluster the feature vectors with k-means (scheme 'kmeans').</summary>
    public bool KMeans { get; set; } = true;

    /// <summary>Number of k-means clusters.</summary>
    public int Clusters { get; set; } = 5;

    /// <summary>
    /// The clusters (and the missing-value means and scaling before them) are fitted on at most this many
    /// customers, an evenly spaced sample in customer order; every customer is then assigned to its nearest
    /// cluster. 0 fits on everyone.
    /// </summary>
    public int MaxFitCustomers { get; set; } = 100_000;

    /// <summary>Seed of k-means initialisation.</summary>
    public int Seed { get; set; } = 42;
}

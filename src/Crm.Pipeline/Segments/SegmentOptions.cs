namespace Crm.Pipeline.Segments;

/// <summary>Segment settings, bound from <c>Crm:Segments</c>.</summary>
public sealed class SegmentOptions
{
    /// <summary>Also cluster the feature vectors with k-means (scheme 'kmeans').</summary>
    public bool KMeans { get; set; } = true;

    /// <summary>Number of k-means clusters.</summary>
    public int Clusters { get; set; } = 5;

    /// <summary>Seed of k-means initialisation.</summary>
    public int Seed { get; set; } = 42;
}

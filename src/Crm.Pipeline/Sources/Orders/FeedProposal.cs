namespace Crm.Pipeline.Sources.Orders;

/// <summary>What <see cref="FeedDetector"/> proposes for a file, and why.</summary>
public sealed class FeedProposal
{
    /// <summary>The proposed feed.</summary>
    public OrderFeedOptions Feed { get; set; } = new();

    /// <summary>What was recognised, and from what.</summary>
    public List<string> Recognised { get; } = [];

    /// <summary>Choices the detector was unsure of: check them.</summary>
    public List<string> Unsure { get; } = [];

    /// <summary>Columns that no field was mapped to (from a file not of a known layout).</summary>
    public List<string> Unplaced { get; } = [];

    /// <summary>The first orders of the sample as they would load (id, UTC time, customer, lines, total, status).</summary>
    public List<string> FirstOrders { get; } = [];

    /// <summary>Records of the sample parsed for the preview.</summary>
    public int SampledRows { get; set; }

    /// <summary>Sampled records that would be quarantined, by reason.</summary>
    public Dictionary<string, int> Quarantined { get; } = new(StringComparer.Ordinal);
}

namespace Crm.Pipeline.Sources.Orders;

/// <summary>What landing one order file found out about it, besides its rows.</summary>
internal sealed class LandFacts
{
    /// <summary>When the file arrived (its modification time): later order dates are implausible. Null accepts any.</summary>
    public DateTime? ArrivedUtc { get; init; }

    /// <summary>The encoding the file was read in.</summary>
    public string EncodingName { get; set; } = "utf-8";

    /// <summary>Whether a header line was read.</summary>
    public bool SawHeader { get; set; }

    /// <summary>Records after the header, loaded or not.</summary>
    public long Records { get; set; }
}

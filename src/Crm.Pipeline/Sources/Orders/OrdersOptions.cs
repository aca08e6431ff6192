namespace Crm.Pipeline.Sources.Orders;

/// <summary>All order feeds, bound from <c>Crm:Orders</c>.</summary>
public sealed class OrdersOptions
{
    /// <summary>The configured feeds.</summary>
    public List<OrderFeedOptions> Feeds { get; set; } = [];
}

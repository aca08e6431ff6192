namespace Crm.Pipeline.Sources.Orders;

/// <summary>One order line as parsed from a feed record, before it lands in staging.</summary>
public sealed class OrderLine
{
    /// <summary>The feed's order id (or one built from <see cref="OrderFeedOptions.OrderIdTemplate"/>).</summary>
    public required string OrderId { get; init; }

    /// <summary>Order time in UTC.</summary>
    public required DateTime OrderTsUtc { get; init; }

    /// <summary>The feed's customer id; when absent, the normalised email stands in.</summary>
    public string? CustomerId { get; init; }

    /// <summary>Customer email as given.</summary>
    public string? Email { get; init; }

    /// <summary>Customer name as given.</summary>
    public string? Name { get; init; }

    /// <summary>Customer phone as given.</summary>
    public string? Phone { get; init; }

    /// <summary>Customer address as given.</summary>
    public string? Address { get; init; }

    /// <summary>Postcode as given.</summary>
    public string? Postcode { get; init; }

    /// <summary>Country as given.</summary>
    public string? Country { get; init; }

    /// <summary>Product SKU.</summary>
    public string? Sku { get; init; }

    /// <summary>Product description.</summary>
    public string? Description { get; init; }

    /// <summary>Quantity; negative for returns.</summary>
    public required decimal Quantity { get; init; }

    /// <summary>Unit price when the feed has one.</summary>
    public decimal? UnitPrice { get; init; }

    /// <summary>Line total (quantity × unit price when the feed has no total).</summary>
    public required decimal LineTotal { get; init; }

    /// <summary>ISO currency code.</summary>
    public required string Currency { get; init; }

    /// <summary>ordered | cancelled | returned.</summary>
    public required string Status { get; init; }

    /// <summary>The feed's own line number within the order, when mapped.</summary>
    public string? LineRef { get; init; }
}

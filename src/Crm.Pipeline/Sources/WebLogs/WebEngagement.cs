namespace Crm.Pipeline.Sources.WebLogs;

/// <summary>
/// The hits a churn feature counts, decided once when a session is built: a product view is a page hit
/// whose path has <c>/product/</c>, <c>/products/</c> or <c>/p/</c>; a cart hit's path has <c>/cart</c> or
/// <c>/basket</c>; both case-insensitive. <c>weblog_sessionize.sql</c> and <c>features_web.sql</c> say the
/// same with <c>path ~* '/(products?|p)/'</c> and <c>path ~* '/(cart|basket)'</c>.
/// </summary>
public static class WebEngagement
{
    /// <summary>True for a page hit on a product page.</summary>
    public static bool IsProductView(string? path, bool isPage) =>
        isPage && path is not null
        && (path.Contains("/product/", StringComparison.OrdinalIgnoreCase)
            || path.Contains("/products/", StringComparison.OrdinalIgnoreCase)
            || path.Contains("/p/", StringComparison.OrdinalIgnoreCase));

    /// <summary>True for a hit on a cart or basket page (any hit, as a cart update may not be a page).</summary>
    public static bool IsCart(string? path) =>
        path is not null
        && (path.Contains("/cart", StringComparison.OrdinalIgnoreCase) || path.Contains("/basket", StringComparison.OrdinalIgnoreCase));
}

using System.Text.RegularExpressions;
using Crm.Pipeline.Sources.WebLogs;

namespace Crm.Tests.WebLogs;

/// <summary>
/// The session's stored engagement counts must decide hits as the SQL patterns of weblog_sessionize.sql and
/// features_web.sql do (PostgreSQL's <c>~*</c>: a case-insensitive regular expression found anywhere in the path).
/// </summary>
public sealed class WebEngagementTests
{
    private static readonly Regex Product = new("/(products?|p)/", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    private static readonly Regex Cart = new("/(cart|basket)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    public static TheoryData<string?> Paths() =>
    [
        null, "", "/", "/product/42", "/products/42", "/PRODUCTS/x", "/p/7", "/P/7", "/shop/p/7?x=1", "/product", "/productsx/1",
        "/p", "/pp/1", "/cart", "/Cart/add", "/carts", "/basket", "/shop/BASKET?id=3", "/cartography", "/scart", "cart", "/c/art",
        "/produc/1", "/x/product/y/cart", "/%2Fproduct/1", "/products//", "//p//",
    ];

    [Theory]
    [MemberData(nameof(Paths))]
    public void IsProductView_IsThePagePattern(string? path)
    {
        Assert.Equal(path is not null && Product.IsMatch(path), WebEngagement.IsProductView(path, isPage: true));
        Assert.False(WebEngagement.IsProductView(path, isPage: false));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void IsCart_IsTheCartPattern(string? path) =>
        Assert.Equal(path is not null && Cart.IsMatch(path), WebEngagement.IsCart(path));
}

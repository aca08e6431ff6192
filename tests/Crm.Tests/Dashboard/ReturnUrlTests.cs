using Crm.Dashboard.Security;

namespace Crm.Tests.Dashboard;

/// <summary>
/// A <c>returnUrl</c> the dashboard keeps becomes a <c>Location</c> header, which may hold ASCII only:
/// a path with other characters came back as a 500 after a good sign-in (#16).
/// </summary>
public sealed class ReturnUrlTests
{
    [Theory]
    [InlineData("/hangfire/identity?q=Müller", "/hangfire/identity?q=M%C3%BCller")]
    [InlineData("/hangfire/identity?q=李伟", "/hangfire/identity?q=%E6%9D%8E%E4%BC%9F")]
    [InlineData("/\uFF0F127.0.0.1:5999/pwned", "/%EF%BC%8F127.0.0.1:5999/pwned")] // a full-width solidus is no slash to a browser
    [InlineData("/hangfire/identity?q=ann%20lee", "/hangfire/identity?q=ann%20lee")]
    [InlineData("/hangfire", "/hangfire")]
    public void KeptPaths_ArePlainAscii_WithOtherCharactersPercentEncoded(string given, string expected)
    {
        var kept = ReturnUrl.LocalOrNull(given);

        Assert.Equal(expected, kept);
        Assert.All(kept!, c => Assert.InRange(c, '!', '~'));
    }

    [Fact]
    public void BrokenText_IsNotKept()
    {
        // Built here: theory data would reach the test with U+FFFD in place of a lone surrogate.
        Assert.Null(ReturnUrl.LocalOrNull("/hangfire" + (char)0xD800)); // a lone surrogate has no UTF-8 form
        Assert.Null(ReturnUrl.LocalOrNull("/" + (char)0xDC00 + "/x"));
    }
}

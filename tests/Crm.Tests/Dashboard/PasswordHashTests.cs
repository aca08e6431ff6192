using Crm.Dashboard.Auth;

namespace Crm.Tests.Dashboard;

public sealed class PasswordHashTests
{
    [Fact]
    public void Verify_AcceptsTheRightPasswordOnly()
    {
        var hash = PasswordHash.Create("correct horse");

        Assert.True(PasswordHash.Verify("correct horse", hash));
        Assert.False(PasswordHash.Verify("correct hors", hash));
        Assert.DoesNotContain("correct horse", hash, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("plain-text-password")]
    [InlineData("pbkdf2-sha256$1$AAAA$AAAA")]
    [InlineData("pbkdf2-sha256$210000$not-base64$AAAA")]
    public void Verify_NeverAcceptsAMalformedHash(string? stored) =>
        Assert.False(PasswordHash.Verify("plain-text-password", stored));
}

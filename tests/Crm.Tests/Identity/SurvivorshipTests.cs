using Crm.Pipeline.Identity;

namespace Crm.Tests.Identity;

/// <summary>Which source value the golden record shows.</summary>
public sealed class SurvivorshipTests
{
    private static SourceValues V(string source, string? name, string? email, string? address, int lastSeenDay, string? phone = null) =>
        new(source, name, email, phone, address, address is null ? null : "PC " + address, address is null ? null : "GB", null,
            new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2024, 1, lastSeenDay, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Choose_AppliesFrequencyPriorityAndRecency()
    {
        var members = new[]
        {
            V("email", "Rob Smith", "rob@mail.example", null, 20, "+441"),
            V("orders:shop", "Robert Smith", "robert@shop.example", "5 Mill Road", 3, "+442"),
            V("orders:shop", "Robert Smith", null, "7 New Street", 10),
        };

        var golden = Survivorship.Choose(members, ["orders:*", "email"]);

        Assert.Equal("Robert Smith", golden.Name);              // most frequent
        Assert.Equal("robert@shop.example", golden.Email);      // source priority beats recency
        Assert.Equal("+441", golden.Phone);                     // most recent
        Assert.Equal("7 New Street", golden.Address);           // most recent address…
        Assert.Equal("PC 7 New Street", golden.Postcode);       // …with its own postcode
        Assert.Equal(3, golden.SourceCount);
        Assert.Equal(20, golden.LastSeen.Day);
    }

    [Fact]
    public void Choose_DoesNotDependOnInputOrder()
    {
        var members = new[] { V("email", "Ann Lee", "a@x.example", null, 5), V("email", "Anne Lee", "b@x.example", null, 5) };
        Assert.Equal(Survivorship.Choose(members, []), Survivorship.Choose(members.Reverse().ToArray(), []));
    }
}

using Crm.Pipeline.Features;

namespace Crm.Tests.Churn;

public sealed class FeatureSampleSlotsTests
{
    [Theory]
    [InlineData(1_000_000, 0)]
    [InlineData(1_000_000, 1_000_000)]
    [InlineData(50_000, 100_000)]
    [InlineData(0, 100_000)]
    public void SlotsFor_IsEveryone_WhenNotSamplingOrTheSampleCoversAll(long customers, int wanted) =>
        Assert.Equal(FeatureSample.All, FeatureSample.SlotsFor(customers, wanted));

    [Theory]
    [InlineData(1_000_000, 100_000)]
    [InlineData(10_000_000, 100_000)]
    [InlineData(100_001, 100_000)]
    [InlineData(3_000_000_000, 1)]
    public void SlotsFor_GivesAShareOfAtLeastTheWantedCustomers(long customers, int wanted)
    {
        var slots = FeatureSample.SlotsFor(customers, wanted);
        Assert.InRange(slots, 1, FeatureSample.All - 1);
        Assert.True(FeatureSample.Share(slots) * customers >= wanted, $"{slots} slots give {FeatureSample.Share(slots) * customers} of {wanted}");
        Assert.True(FeatureSample.Share(slots - 1) * customers < wanted, $"{slots - 1} slots would do");
    }

    [Fact]
    public void SlotsFor_RefusesNegativeCounts()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => FeatureSample.SlotsFor(-1, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => FeatureSample.SlotsFor(10, -1));
    }
}

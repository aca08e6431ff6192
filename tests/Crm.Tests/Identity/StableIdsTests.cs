using Crm.Pipeline.Identity;

namespace Crm.Tests.Identity;

/// <summary>Ids across runs: kept, merged into the oldest, split into new ids.</summary>
public sealed class StableIdsTests
{
    private static Func<long> Allocator(long start)
    {
        var next = start;
        return () => next++;
    }

    private static long[] Seniority(int n) => Enumerable.Range(0, n).Select(i => (long)i).ToArray();

    [Fact]
    public void NewRecords_GetNewIds_AndUnchangedClustersKeepTheirs()
    {
        long?[] old = [10, 10, 11, null];
        int[] labels = [0, 0, 2, 3];

        var result = StableIds.Assign(old, labels, Seniority(4), Allocator(100));

        Assert.Equal([10L, 10, 11, 100], result.CustomerIds);
        Assert.Equal([new IdEvent("created", 100, null)], result.Events);
    }

    [Fact]
    public void Merge_KeepsTheOldestId_AndRecordsTheAbsorbedOne()
    {
        long?[] old = [12, 7, 12, null];
        int[] labels = [0, 0, 0, 0];

        var result = StableIds.Assign(old, labels, Seniority(4), Allocator(100));

        Assert.All(result.CustomerIds, id => Assert.Equal(7, id));
        Assert.Equal(7, result.MergedInto[12]);
        Assert.Equal([new IdEvent("merged", 7, 12)], result.Events);
    }

    [Fact]
    public void Split_TheLargerPartKeepsTheId_TheOtherGetsANewOne()
    {
        long?[] old = [5, 5, 5];
        int[] labels = [0, 0, 2];

        var result = StableIds.Assign(old, labels, Seniority(3), Allocator(100));

        Assert.Equal([5L, 5, 100], result.CustomerIds);
        Assert.Equal([new IdEvent("split", 100, 5)], result.Events);
    }

    [Fact]
    public void Split_InTwoEqualParts_ThePartFirstSeenEarliestKeepsTheId()
    {
        long?[] old = [5, 5];
        int[] labels = [0, 1];

        var result = StableIds.Assign(old, labels, [2000, 1000], Allocator(100));

        Assert.Equal([100L, 5], result.CustomerIds);
    }

    [Fact]
    public void SameInput_GivesTheSameIds()
    {
        long?[] old = [null, null, 3, null];
        int[] labels = [0, 1, 1, 3];

        var first = StableIds.Assign(old, labels, Seniority(4), Allocator(100));
        var second = StableIds.Assign(old, labels, Seniority(4), Allocator(100));

        Assert.Equal(first.CustomerIds, second.CustomerIds);
        Assert.Equal([100L, 3, 3, 101], first.CustomerIds);
    }
}

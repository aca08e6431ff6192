using Crm.Pipeline.Identity;

namespace Crm.Tests.Identity;

/// <summary>Over-merge guards: conflicting strong identifiers, verified e-mails, manual splits and the size cap.</summary>
public sealed class ClusteringTests
{
    private static MatchRecord Person(string key, string given, string family, string? dob = null, string? verified = null) =>
        new(key) { [MatchField.Given] = given, [MatchField.Family] = family, [MatchField.DateOfBirth] = dob, VerifiedEmail = verified };

    // A model where agreeing names weigh +6 bits each, λ costs −10 bits, and different dates of birth −6.5 bits.
    private static FellegiSunterModel Model()
    {
        var active = new bool[MatchRecord.FieldCount];
        active[(int)MatchField.Given] = active[(int)MatchField.Family] = active[(int)MatchField.DateOfBirth] = true;
        var model = FellegiSunterModel.Start(active, 0.001);
        model.M[(int)MatchField.DateOfBirth] = [0.01, 0.04, 0.05, 0.90];
        model.U[(int)MatchField.DateOfBirth] = [0.90, 0.05, 0.04, 0.01];
        return model;
    }

    private static ScoredPair Pair(int a, int b) => new(a, b, 0, 0.99, MatchRule.Probabilistic);

    [Fact]
    public void ChainThroughARecordWithoutDateOfBirth_DoesNotJoinTwoDifferentBirthDates()
    {
        MatchRecord[] records = [Person("a", "sam", "lee", "1980-01-01"), Person("b", "sam", "lee"), Person("c", "sam", "lee", "1999-12-31")];
        var clusterer = new Clusterer(records, new MatchingOptions(), Model());

        Assert.True(clusterer.TryLink(Pair(0, 1)));
        Assert.False(clusterer.TryLink(Pair(1, 2)));

        Assert.Equal(1, clusterer.GuardBlocks);
        Assert.NotEqual(clusterer.Find(0), clusterer.Find(2));
    }

    [Fact]
    public void BirthDatesOneTypoApart_DoNotBlock()
    {
        MatchRecord[] records = [Person("a", "sam", "lee", "1980-01-01"), Person("b", "sam", "lee"), Person("c", "sam", "lee", "1980-01-07")];
        var clusterer = new Clusterer(records, new MatchingOptions(), Model());

        Assert.True(clusterer.TryLink(Pair(0, 1)));
        Assert.True(clusterer.TryLink(Pair(1, 2)));
        Assert.Equal(0, clusterer.GuardBlocks);
    }

    [Fact]
    public void TwoDifferentVerifiedEmails_BlockAMerge()
    {
        MatchRecord[] records = [Person("a", "sam", "lee", verified: "sam@a.example"), Person("b", "sam", "lee", verified: "sam@b.example")];
        var clusterer = new Clusterer(records, new MatchingOptions(), Model());

        Assert.False(clusterer.TryLink(new ScoredPair(0, 1, 0, 1, MatchRule.Phone)));
        Assert.Equal(1, clusterer.GuardBlocks);
    }

    [Fact]
    public void ManualSplit_HoldsAgainstATransitiveChain()
    {
        MatchRecord[] records = [Person("a", "sam", "lee"), Person("b", "sam", "lee"), Person("c", "sam", "lee")];
        var clusterer = new Clusterer(records, new MatchingOptions(), Model());
        clusterer.CannotLink(0, 2);

        Assert.True(clusterer.TryLink(Pair(0, 1)));
        Assert.False(clusterer.TryLink(Pair(1, 2)));
        Assert.NotEqual(clusterer.Find(0), clusterer.Find(2));
    }

    [Fact]
    public void SizeCap_StopsGrowthAndCountsAlerts()
    {
        var records = Enumerable.Range(0, 6).Select(i => Person("r" + i, "sam", "lee")).ToArray();
        var clusterer = new Clusterer(records, new MatchingOptions { MaxClusterSize = 3 }, Model());

        for (var i = 0; i < 5; i++)
        {
            clusterer.TryLink(Pair(i, i + 1));
        }

        var sizes = clusterer.Labels().GroupBy(l => l).Select(g => g.Count()).ToList();
        Assert.All(sizes, s => Assert.True(s <= 3));
        Assert.True(clusterer.CapAlerts > 0);
    }

    [Fact]
    public void Resolve_ForcedLinkBeatsTheMatcher_AndSplitBeatsTheEmailRule()
    {
        MatchRecord[] records =
        [
            new("a") { [MatchField.Given] = "ann", [MatchField.Family] = "lee", [MatchField.Email] = "shared@example.com" },
            new("b") { [MatchField.Given] = "bob", [MatchField.Family] = "ray", [MatchField.Email] = "shared@example.com" },
            new("c") { [MatchField.Given] = "cyd", [MatchField.Family] = "orr", [MatchField.Email] = "cyd@example.com" },
            new("d") { [MatchField.Given] = "dan", [MatchField.Family] = "fox", [MatchField.Email] = "dan@example.com" },
        ];

        var plain = Matcher.Resolve(records, new MatchingOptions());
        Assert.Equal(plain.Labels[0], plain.Labels[1]);
        Assert.NotEqual(plain.Labels[2], plain.Labels[3]);

        var corrected = Matcher.Resolve(records, new MatchingOptions(), new ManualPairs([(2, 3)], [(0, 1)]));
        Assert.NotEqual(corrected.Labels[0], corrected.Labels[1]);
        Assert.Equal(corrected.Labels[2], corrected.Labels[3]);
        Assert.Contains(corrected.Links, l => l.Rule == MatchRule.Manual);
    }
}

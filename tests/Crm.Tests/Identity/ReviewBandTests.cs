using Crm.Pipeline.Identity;

namespace Crm.Tests.Identity;

/// <summary>
/// Issue 24's review queue in the matcher: a pair scored inside the band is held (kept apart) rather than linked, a pair
/// above it links, a pair an admin decided is never held again, the band's settings are checked at start, and an
/// admin's labelled pairs move the model's m and u estimates.
/// </summary>
public sealed class ReviewBandTests
{
    // dataset1 rows 133/507 (a typo in the given name at the same address): the rules allow this pair to link.
    private static MatchRecord[] Pair() =>
    [
        Rec("nicholas", "campbell", "1904-12-12", "87", "poynton street", "albion park", "4655"),
        Rec("nichooas", "campbell", null, "87", "poyntonstreet", "albion park", "4655"),
    ];

    private static MatchRecord Rec(string given, string family, string? dob, string? number, string? street, string? locality, string? postcode) =>
        new(given + " " + family)
        {
            [MatchField.Given] = given, [MatchField.Family] = family, [MatchField.DateOfBirth] = dob, [MatchField.StreetNumber] = number,
            [MatchField.Street] = street, [MatchField.Locality] = locality, [MatchField.Postcode] = postcode,
        };

    private static FellegiSunterModel EvenModel()
    {
        var active = new bool[MatchRecord.FieldCount];
        Array.Fill(active, true);
        return FellegiSunterModel.Start(active, 0.5);
    }

    // The pair's probability as the matcher scores it without a band (it links).
    private static double Probability()
    {
        var link = Assert.Single(Matcher.Resolve(Pair(), new MatchingOptions(), model: EvenModel()).Links);
        Assert.Equal(MatchRule.Probabilistic, link.Rule);
        Assert.InRange(link.Probability, 0.9, 1 - 1e-9);
        return link.Probability;
    }

    [Fact]
    public void APairInsideTheBand_IsHeldForReviewAndKeptApart()
    {
        var p = Probability();

        var resolution = Matcher.Resolve(Pair(), new MatchingOptions(), model: EvenModel(), review: new ReviewOptions { Lower = p - 1e-6, Upper = p + 1e-9 });

        Assert.NotEqual(resolution.Labels[0], resolution.Labels[1]);
        var held = Assert.Single(resolution.Review);
        Assert.Equal((0, 1), (Math.Min(held.A, held.B), Math.Max(held.A, held.B)));
        Assert.Equal(p, held.Probability);
        Assert.Empty(resolution.Links);
    }

    [Fact]
    public void APairAtTheBandsUpperEnd_Links()
    {
        var p = Probability();

        var resolution = Matcher.Resolve(Pair(), new MatchingOptions(), model: EvenModel(), review: new ReviewOptions { Lower = 0.5, Upper = p });

        Assert.Equal(resolution.Labels[0], resolution.Labels[1]);
        Assert.Empty(resolution.Review);
    }

    [Fact]
    public void APairBelowTheThresholdInsideTheBand_IsHeld_AndOneBelowTheBand_IsNot()
    {
        var p = Probability();
        var options = new MatchingOptions { MatchThreshold = Math.Min(p + 1e-9, 0.999999999) };

        Assert.Single(Matcher.Resolve(Pair(), options, model: EvenModel(), review: new ReviewOptions { Lower = p - 1e-6, Upper = 1 }).Review);
        var below = Matcher.Resolve(Pair(), options, model: EvenModel(), review: new ReviewOptions { Lower = p + 1e-9, Upper = 1 });
        Assert.Empty(below.Review);
        Assert.NotEqual(below.Labels[0], below.Labels[1]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ADecidedPair_IsNotHeldAgain_AndTheDecisionHolds(bool merged)
    {
        var band = new ReviewOptions { Lower = 0, Upper = 1 };
        var manual = merged ? new ManualPairs([(1, 0)], []) : new ManualPairs([], [(1, 0)]);

        var resolution = Matcher.Resolve(Pair(), new MatchingOptions(), manual, EvenModel(), band);

        Assert.Empty(resolution.Review);
        Assert.Equal(merged, resolution.Labels[0] == resolution.Labels[1]);
    }

    [Fact]
    public void APairSharingOnlyItsNames_IsLeftToTheRules()
    {
        MatchRecord[] records = [Rec("jean", "martin", null, null, null, null, null), Rec("jean", "martin", null, null, null, null, null)];

        var resolution = Matcher.Resolve(records, new MatchingOptions(), model: EvenModel(), review: new ReviewOptions { Lower = 0, Upper = 1 });

        Assert.Empty(resolution.Review);
        Assert.NotEqual(resolution.Labels[0], resolution.Labels[1]);
    }

    [Fact]
    public void AnEmptyBand_HoldsNothing()
    {
        var resolution = Matcher.Resolve(Pair(), new MatchingOptions(), model: EvenModel(), review: new ReviewOptions { Lower = 0.7, Upper = 0.7 });

        Assert.Empty(resolution.Review);
        Assert.Equal(resolution.Labels[0], resolution.Labels[1]);
    }

    [Theory]
    [InlineData(0.95, 0.9, "Crm:Identity:Review:Lower must not be above Crm:Identity:Review:Upper; got Lower 0.95 and Upper 0.9 (set them equal for no review queue).")]
    [InlineData(-0.1, 0.9, "Crm:Identity:Review:Lower must be a match probability between 0 and 1; got -0.1.")]
    [InlineData(0.5, 1.5, "Crm:Identity:Review:Upper must be a match probability between 0 and 1; got 1.5.")]
    public void BadBand_FailsAtStartNamingTheSetting(double lower, double upper, string message)
    {
        var options = new IdentityOptions { Review = new ReviewOptions { Lower = lower, Upper = upper } };

        var result = new IdentityOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Equal([message], result.Failures);
    }

    [Fact]
    public void DefaultBand_IsValid() =>
        Assert.True(new IdentityOptionsValidator().Validate(null, new IdentityOptions()).Succeeded);

    [Fact]
    public void ALabelledMatch_CountsAsOneObservedMatchBesideEmsExpectedMatches()
    {
        // λ = 0.5 over 2 candidate pairs: EM expects one match, so one labelled match has the same weight as EM's estimate.
        var fitted = EvenModel();
        var given = (int)MatchField.Given;
        fitted.M[given] = [0.25, 0.25, 0.25, 0.25];
        var records = Pair();
        var level = PairComparer.Level(PairComparer.Compare(records[0], records[1]), given);

        var labelled = Matcher.WithLabels(fitted, records, new ManualPairs([(0, 1)], []), candidatePairs: 2, randomPairs: 1000);

        for (var l = 0; l < 4; l++)
        {
            Assert.Equal(l == level ? (0.25 + 1) / 2 : 0.25 / 2, labelled.M[given][l], 9);
        }

        Assert.Equal(fitted.U[given], labelled.U[given]);
        Assert.Equal([0.25, 0.25, 0.25, 0.25], fitted.M[given]);
    }

    [Fact]
    public void ALabelledNonMatch_MovesU_AndTheFitDiffersWithLabels()
    {
        // Twenty people at distinct addresses, two near-duplicates: the fit with an admin's split differs from the one without.
        var records = Enumerable.Range(0, 20).Select(i => Rec("given" + i, "family" + (i % 5), null, (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), "street " + i, "town", "40" + i)).ToList();
        records.AddRange(Pair());
        var options = new MatchingOptions { RandomPairSamples = 1000 };
        var patterns = new ulong[] { PairComparer.Compare(records[20], records[21]), PairComparer.Compare(records[0], records[5]) };

        var plain = Matcher.Fit(records, patterns, options);
        var split = Matcher.Fit(records, patterns, options, labelled: new ManualPairs([], [(20, 21)]));

        var family = (int)MatchField.Family;
        var exact = PairComparer.LevelCount(family) - 1;
        Assert.True(split.U[family][exact] > plain.U[family][exact]);
        Assert.Equal(plain.M[family], split.M[family]);
    }
}

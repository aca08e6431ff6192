using Crm.Pipeline.Identity;

namespace Crm.Tests.Identity;

/// <summary>
/// Over-merge guards met on the generated company (issue 7): household members who share surname,
/// address and phone; namesakes on the same street; and EM that must not call every candidate a match.
/// </summary>
public sealed class HouseholdAndAddressTests
{
    private static MatchRecord Rec(string key, string given, string family, string? email, string? phone, string? number, string? street, string? postcode) =>
        new(key)
        {
            [MatchField.Given] = given, [MatchField.Family] = family, [MatchField.Email] = email, [MatchField.Phone] = phone,
            [MatchField.StreetNumber] = number, [MatchField.Street] = street, [MatchField.Postcode] = postcode, [MatchField.Country] = "BR",
        };

    // Every agreement counts for a match and every disagreement against (m rises with the level, u falls), prior even.
    private static FellegiSunterModel Model()
    {
        var active = new bool[MatchRecord.FieldCount];
        Array.Fill(active, true);
        return FellegiSunterModel.Start(active, 0.5);
    }

    [Fact]
    public void HouseholdMembers_SharingSurnameAndAddress_StayApart()
    {
        // Mother and son: a given name one letter apart, surname and address shared, own e-mails and phones.
        MatchRecord[] records =
        [
            Rec("mother", "antonia", "goncalves", "antonia83637@gmail.com", "+5530875062896", "31", "rua das flores fortaleza", "89515154"),
            Rec("son", "antonio", "goncalves", "goncalves.antonio83597@bol.com.br", "+5585999990000", "31", "rua das flores fortaleza", "89515154"),
        ];

        var resolution = Matcher.Resolve(records, new MatchingOptions(), model: Model());

        Assert.NotEqual(resolution.Labels[0], resolution.Labels[1]);
    }

    [Fact]
    public void HouseholdMembers_WithDifferentGivenNames_AreNotLinkedByASharedPhone()
    {
        MatchRecord[] records =
        [
            Rec("father", "jean", "martin", "jean.martin1@orange.fr", "+33143218765", "12", "rue de la paix nantes", "44000"),
            Rec("daughter", "camille", "martin", "camille.martin2@free.fr", "+33143218765", "12", "rue de la paix nantes", "44000"),
        ];

        var resolution = Matcher.Resolve(records, new MatchingOptions(), model: Model());

        Assert.NotEqual(resolution.Labels[0], resolution.Labels[1]);
    }

    [Fact]
    public void SamePerson_WithANewEmail_StillLinksOnNameAndPhone()
    {
        MatchRecord[] records =
        [
            Rec("a", "antonio", "goncalves", "goncalves.antonio83597@bol.com.br", "+5530875062896", "31", "rua das flores fortaleza", "89515154"),
            Rec("b", "antonio", "goncalves", "toninho@gmail.com", "+5530875062896", null, null, null),
        ];

        var resolution = Matcher.Resolve(records, new MatchingOptions(), model: Model());

        Assert.Equal(resolution.Labels[0], resolution.Labels[1]);
    }

    [Fact]
    public void HouseholdGuard_CanBeTurnedOff()
    {
        MatchRecord[] records =
        [
            Rec("mother", "antonia", "goncalves", "antonia83637@gmail.com", "+5530875062896", "31", "rua das flores fortaleza", "89515154"),
            Rec("son", "antonio", "goncalves", "goncalves.antonio83597@bol.com.br", "+5585999990000", "31", "rua das flores fortaleza", "89515154"),
        ];

        var resolution = Matcher.Resolve(records, new MatchingOptions { HouseholdGuard = false }, model: Model());

        Assert.Equal(resolution.Labels[0], resolution.Labels[1]);
    }

    [Theory]
    [InlineData("29", "main street austin", "23765", "29", "main street austin", "57543", -1, 1)] // another postcode: another street, number says nothing
    [InlineData("29", "main street", "23765", "56", "main street", "23765", 0, 1)] // another house on the same street
    [InlineData("29", "main street", "23765", "29", "cedar lane", "23765", -1, 0)] // same number, another street
    [InlineData("29", "main street", "23765", "29", "main street", "23765", 1, 3)] // the same address
    public void Address_IsComparedAsStreetNumberAndPostcodeTogether(
        string n1, string s1, string p1, string n2, string s2, string p2, int numberLevel, int streetLevel)
    {
        var pattern = PairComparer.Compare(Rec("a", "x", "y", null, null, n1, s1, p1), Rec("b", "x", "y", null, null, n2, s2, p2));

        Assert.Equal(numberLevel, PairComparer.Level(pattern, (int)MatchField.StreetNumber));
        Assert.Equal(streetLevel, PairComparer.Level(pattern, (int)MatchField.Street));
    }

    [Fact]
    public void Fit_OnNamesakes_LearnsThatADifferentEmailCountsAgainstAMatch()
    {
        // 300 people in 30 groups of namesakes (10 per name), each with an own e-mail, phone and address,
        // plus a second record for 60 of them that keeps the e-mail and phone. Blocking on names makes
        // every namesake a candidate; fitting one EM over all candidates would call them all matches.
        var records = new List<MatchRecord>();
        var truth = new List<int>();
        for (var i = 0; i < 300; i++)
        {
            var given = "given" + (char)('a' + (i / 10 % 26)) + (i / 260);
            var family = "family" + (char)('a' + (i / 10 % 26)) + (i / 260);
            records.Add(Rec($"p{i}", given, family, $"person{i}@example.org", $"+55119{i:D8}", (1 + (i % 50)).ToString(System.Globalization.CultureInfo.InvariantCulture), $"street {i % 37} town", $"{10000 + i}"));
            truth.Add(i);
        }

        for (var i = 0; i < 300; i += 5)
        {
            var o = records[i];
            records.Add(Rec($"d{i}", o[MatchField.Given]!, o[MatchField.Family]!, o[MatchField.Email], o[MatchField.Phone], null, null, null));
            truth.Add(i);
        }

        var resolution = Matcher.Resolve(records, new MatchingOptions());
        var metrics = PairwiseMetrics.Compute(truth, resolution.Labels);

        Assert.True(resolution.Model.Weight((int)MatchField.Email, 0) < -1, $"weight of a different e-mail {resolution.Model.Weight((int)MatchField.Email, 0):F2}");
        Assert.True(resolution.Model.Lambda < 0.5, $"λ {resolution.Model.Lambda:F3}");
        Assert.Equal(1.0, metrics.Precision);
        Assert.Equal(1.0, metrics.Recall);
    }
}

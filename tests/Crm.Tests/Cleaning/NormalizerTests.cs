using Crm.Pipeline.Cleaning;

namespace Crm.Tests.Cleaning;

/// <summary>The field normalisers on real-world spellings, one row per case.</summary>
public sealed class NormalizerTests
{
    [Theory]
    [InlineData(" John.Doe@Example.COM ", false, "john.doe@example.com")]
    [InlineData("John Doe <john.doe@example.com>", false, "john.doe@example.com")]
    [InlineData("mailto:Sales@Shop.co.uk", false, "sales@shop.co.uk")]
    [InlineData("anna@bücher.de", false, "anna@xn--bcher-kva.de")]
    [InlineData("info@例え.jp", false, "info@xn--r8jz45g.jp")]
    [InlineData("J.o.h.n+newsletter@GoogleMail.com", true, "john@gmail.com")]
    [InlineData("first.last+shop@outlook.com", true, "first.last@outlook.com")]
    [InlineData("first.last+shop@example.com", true, "first.last+shop@example.com")]
    [InlineData("first.last+shop@gmail.com", false, "first.last+shop@gmail.com")]
    public void Email_IsNormalised(string raw, bool providerRules, string expected) =>
        Assert.Equal(expected, EmailNormalizer.Normalize(raw, providerRules).Value);

    [Theory]
    [InlineData("no-at-sign.example.com")]
    [InlineData("someone@localhost")]
    [InlineData("two words@example.com")]
    [InlineData("@example.com")]
    [InlineData("someone@")]
    public void Email_Invalid_GivesReason(string raw)
    {
        var cleaned = EmailNormalizer.Normalize(raw);
        Assert.Null(cleaned.Value);
        Assert.StartsWith("email:", cleaned.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void MissingValues_StayMissing(string? raw)
    {
        Assert.Equal(Cleaned.Missing, EmailNormalizer.Normalize(raw));
        Assert.Equal(Cleaned.Missing, PhoneNormalizer.Normalize(raw, "GB"));
        Assert.Equal(Cleaned.Missing, DateNormalizer.Normalize(raw));
        Assert.Equal(Cleaned.Missing, AddressNormalizer.NormalizePostcode(raw, "GB"));
        Assert.Null(NameNormalizer.Normalize(raw));
        Assert.Null(AddressNormalizer.Normalize(raw));
    }

    [Theory]
    [InlineData("020 7946 0018", "GB", "+442079460018")]
    [InlineData("+44 20 7946 0018", "US", "+442079460018")]
    [InlineData("0044 20 7946 0018", "GB", "+442079460018")]
    [InlineData("07700 900123", "GB", "+447700900123")]
    [InlineData("(212) 555-0142", "US", "+12125550142")]
    [InlineData("212.555.0142", "US", "+12125550142")]
    [InlineData("+49 30 901820", "GB", "+4930901820")]
    [InlineData("02 9374 4000", "AU", "+61293744000")]
    public void Phone_BecomesE164(string raw, string region, string expected) =>
        Assert.Equal(expected, PhoneNormalizer.Normalize(raw, region).Value);

    [Theory]
    [InlineData("12", "GB")]
    [InlineData("not a phone", "GB")]
    [InlineData("+44 20", "GB")]
    public void Phone_Invalid_GivesReason(string raw, string region) =>
        Assert.StartsWith("phone:", PhoneNormalizer.Normalize(raw, region).Error, StringComparison.Ordinal);

    [Theory]
    [InlineData("Mrs Ann Lee", "Ann Lee", "ann", "lee")]
    [InlineData("SMITH, John", "John Smith", "john", "smith")]
    [InlineData("  josé   ÁLVAREZ ", "José Álvarez", "jose", "alvarez")]
    [InlineData("Dr. Jürgen Müller-Lüdenscheidt", "Jürgen Müller-Lüdenscheidt", "jurgen", "mullerludenscheidt")]
    [InlineData("Mary Ann O'Neil Jr.", "Mary Ann O'Neil", "mary ann", "oneil")]
    [InlineData("Ｊｏｈｎ Ｓｍｉｔｈ", "John Smith", "john", "smith")]
    [InlineData("Cher", "Cher", "cher", null)]
    public void Name_IsSplitAndKeyed(string raw, string display, string? given, string? family)
    {
        var name = NameNormalizer.Normalize(raw);
        Assert.NotNull(name);
        Assert.Equal(display, name.Display);
        Assert.Equal(given, name.Given);
        Assert.Equal(family, name.Family);
    }

    [Fact]
    public void Name_NonLatinScripts_AreTransliteratedForMatchKeys()
    {
        // Cyrillic and Greek letters with one obvious Latin reading each.
        Assert.Equal("gagarin", NameNormalizer.Normalize("Юрий Гагарин")!.Family);
        Assert.StartsWith("papad", NameNormalizer.Normalize("Νίκος Παπαδόπουλος")!.Family, StringComparison.Ordinal);
        Assert.True(System.Text.Ascii.IsValid(NameNormalizer.Normalize("王 小明")!.Given!));
        Assert.Null(NameNormalizer.Normalize("Mr"));
    }

    [Theory]
    [InlineData("12 High St", "12", "high street")]
    [InlineData("5, Mill Rd.", "5", "mill road")]
    [InlineData("221B Baker Street", "221b", "baker street")]
    [InlineData("St James Pl", null, "saint james place")]
    [InlineData("48 GOLDFINCH CCT", "48", "goldfinch circuit")]
    [InlineData("1600 Pennsylvania Ave NW", "1600", "pennsylvania avenue northwest")]
    public void Address_IsSplitAndExpanded(string raw, string? number, string street)
    {
        var line = AddressNormalizer.Normalize(raw);
        Assert.NotNull(line);
        Assert.Equal(number, line.Number);
        Assert.Equal(street, line.Street);
    }

    [Theory]
    [InlineData("sw1a1aa", "GB", "SW1A 1AA")]
    [InlineData("EC1A 1BB", "UK", "EC1A 1BB")]
    [InlineData("90210-1234", "US", "90210")]
    [InlineData(" 2600 ", "AU", "2600")]
    [InlineData("1234ab", "NL", "1234 AB")]
    [InlineData("k1a0b1", "CA", "K1A 0B1")]
    [InlineData("75008", "FR", "75008")]
    [InlineData("4011", null, "4011")]
    public void Postcode_IsFormattedPerCountry(string raw, string? country, string expected) =>
        Assert.Equal(expected, AddressNormalizer.NormalizePostcode(raw, country).Value);

    [Theory]
    [InlineData("ZZZ", "GB")]
    [InlineData("1234", "US")]
    [InlineData("ABCDE", "DE")]
    public void Postcode_Invalid_GivesReason(string raw, string country) =>
        Assert.StartsWith("postcode:", AddressNormalizer.NormalizePostcode(raw, country).Error, StringComparison.Ordinal);

    [Theory]
    [InlineData("19800403", true, "1980-04-03")]
    [InlineData("1980-04-03", true, "1980-04-03")]
    [InlineData("03/04/1980", true, "1980-04-03")]
    [InlineData("03/04/1980", false, "1980-03-04")]
    [InlineData("3.4.1980", true, "1980-04-03")]
    [InlineData("3 April 1980", true, "1980-04-03")]
    [InlineData("April 3, 1980", true, "1980-04-03")]
    [InlineData("25/12/1975", false, "1975-12-25")]
    public void Date_BecomesIso(string raw, bool dayFirst, string expected) =>
        Assert.Equal(expected, DateNormalizer.Normalize(raw, dayFirst, today: new DateOnly(2026, 1, 1)).Value);

    [Theory]
    [InlineData("1980-02-30", "date: not a valid date")]
    [InlineData("19801301", "date: not a valid date")]
    [InlineData("yesterday", "date: not a valid date")]
    [InlineData("1850-01-01", "date: out of range")]
    [InlineData("2999-01-01", "date: out of range")]
    public void Date_Invalid_GivesReason(string raw, string reason) =>
        Assert.Equal(reason, DateNormalizer.Normalize(raw, today: new DateOnly(2026, 1, 1)).Error);

    [Fact]
    public void PersonCleaner_ReportsInvalidFieldsAndKeepsTheRest()
    {
        var errors = new List<string>();
        var record = PersonCleaner.Clean(
            new RawPerson { Key = "k", FullName = "Ms Jane Roe", Email = "jane@", Phone = "020 7946 0018", Postcode = "n19gu", Country = "United Kingdom" },
            new CleaningOptions(),
            errors);

        Assert.Equal("jane", record.Given);
        Assert.Equal("roe", record.Family);
        Assert.Null(record.Email);
        Assert.Equal("+442079460018", record.Phone);
        Assert.Equal("N1 9GU", record.Postcode);
        Assert.Equal("GB", record.Country);
        Assert.Single(errors);
        Assert.Contains("jane@", errors[0], StringComparison.Ordinal);
    }
}

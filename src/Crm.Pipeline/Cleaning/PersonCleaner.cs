using Crm.Pipeline.Identity;

namespace Crm.Pipeline.Cleaning;

/// <summary>
/// Cleans a <see cref="RawPerson"/> into a <see cref="MatchRecord"/>: every field through its
/// normaliser; a value that fails validation is left missing on the record and its reason is
/// returned (the stage writes it to quarantine). Nothing is invented: a missing input stays missing.
/// </summary>
public static class PersonCleaner
{
    /// <summary>Cleans one record.</summary>
    /// <param name="raw">The record as the source gave it.</param>
    /// <param name="options">Cleaning settings.</param>
    /// <param name="errors">Receives "field: reason (raw value)" for each rejected value.</param>
    public static MatchRecord Clean(RawPerson raw, CleaningOptions options, ICollection<string> errors)
    {
        ArgumentNullException.ThrowIfNull(raw);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(errors);
        var r = new MatchRecord(raw.Key);
        if (raw.Given is not null || raw.Family is not null)
        {
            r[MatchField.Given] = raw.Given is null ? null : NameNormalizer.Key(raw.Given);
            r[MatchField.Family] = raw.Family is null ? null : NameNormalizer.Key(raw.Family);
        }
        else if (NameNormalizer.Normalize(raw.FullName) is { } name)
        {
            r[MatchField.Given] = name.Given;
            r[MatchField.Family] = name.Family;
        }

        var email = Take(EmailNormalizer.Normalize(raw.Email, options.EmailProviderRules), raw.Email, errors);
        r[MatchField.Email] = email;
        if (raw.EmailVerified)
        {
            r.VerifiedEmail = email;
        }

        var country = Country(raw.Country) ?? options.DefaultCountry;
        r[MatchField.Country] = Country(raw.Country);
        r[MatchField.Phone] = Take(PhoneNormalizer.Normalize(raw.Phone, country ?? options.DefaultRegion), raw.Phone, errors);
        r[MatchField.DateOfBirth] = Take(DateNormalizer.Normalize(raw.DateOfBirth, options.DayFirst), raw.DateOfBirth, errors);
        var address = AddressNormalizer.Normalize(raw.Street);
        r[MatchField.Street] = address?.Street;
        r[MatchField.StreetNumber] = raw.StreetNumber is { } n && NameNormalizer.Key(n) is { Length: > 0 } number ? number.Replace(" ", string.Empty, StringComparison.Ordinal) : address?.Number;
        r[MatchField.Premise] = raw.Premise is null ? null : AddressNormalizer.Normalize(raw.Premise) is { } p ? Join(p.Number, p.Street) : null;
        r[MatchField.Locality] = raw.Locality is null ? null : NameNormalizer.Key(raw.Locality);
        r[MatchField.Postcode] = Take(AddressNormalizer.NormalizePostcode(raw.Postcode, country), raw.Postcode, errors);
        r[MatchField.Region] = raw.Region is null ? null : NameNormalizer.Key(raw.Region);
        r[MatchField.NationalId] = raw.NationalId is null ? null : NameNormalizer.Key(raw.NationalId).Replace(" ", string.Empty, StringComparison.Ordinal);
        return r;
    }

    private static string? Country(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }

        var key = NameNormalizer.Key(raw).ToUpperInvariant();
        return key switch
        {
            "UK" or "UNITED KINGDOM" or "GREAT BRITAIN" or "ENGLAND" or "SCOTLAND" or "WALES" => "GB",
            "USA" or "UNITED STATES" or "UNITED STATES OF AMERICA" => "US",
            "AUSTRALIA" => "AU",
            "GERMANY" or "DEUTSCHLAND" => "DE",
            "FRANCE" => "FR",
            "NETHERLANDS" or "THE NETHERLANDS" => "NL",
            "CANADA" => "CA",
            _ => key.Length == 2 ? key : null,
        };
    }

    private static string? Join(string? a, string? b) => a is null ? b : b is null ? a : a + " " + b;

    private static string? Take(Cleaned cleaned, string? raw, ICollection<string> errors)
    {
        if (cleaned.Error is not null)
        {
            errors.Add($"{cleaned.Error} ({raw})");
        }

        return cleaned.Value;
    }
}

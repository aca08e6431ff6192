namespace Crm.Pipeline.Cleaning;

/// <summary>
/// Cleans a <see cref="RawPerson"/> into a <see cref="CleanPerson"/>: every field through its
/// normaliser; a value that fails validation is left missing on the record and its reason is
/// returned (the stage writes it to quarantine). Nothing is invented: a missing input stays missing.
/// </summary>
public static class PersonCleaner
{
    /// <summary>Cleans one record.</summary>
    /// <param name="raw">The record as the source gave it.</param>
    /// <param name="options">Cleaning settings.</param>
    /// <param name="errors">Receives "field: reason (raw value)" for each rejected value.</param>
    public static CleanPerson Clean(RawPerson raw, CleaningOptions options, ICollection<string> errors)
    {
        ArgumentNullException.ThrowIfNull(raw);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(errors);
        string? given = null, family = null;
        if (raw.Given is not null || raw.Family is not null)
        {
            given = raw.Given is null ? null : NameNormalizer.Key(raw.Given);
            family = raw.Family is null ? null : NameNormalizer.Key(raw.Family);
        }
        else if (NameNormalizer.Normalize(raw.FullName) is { } name)
        {
            given = name.Given;
            family = name.Family;
        }

        var email = Take(EmailNormalizer.Normalize(raw.Email, options.EmailProviderRules), raw.Email, errors);
        var country = Country(raw.Country) ?? options.DefaultCountry;
        var address = AddressNormalizer.Normalize(raw.Street);
        return new CleanPerson(raw.Key)
        {
            Given = given,
            Family = family,
            Email = email,
            VerifiedEmail = raw.EmailVerified ? email : null,
            Country = Country(raw.Country),
            Phone = Take(PhoneNormalizer.Normalize(raw.Phone, country ?? options.DefaultRegion), raw.Phone, errors),
            DateOfBirth = Take(DateNormalizer.Normalize(raw.DateOfBirth, options.DayFirst), raw.DateOfBirth, errors),
            Street = address?.Street,
            StreetNumber = raw.StreetNumber is { } n && NameNormalizer.Key(n) is { Length: > 0 } number ? number.Replace(" ", string.Empty, StringComparison.Ordinal) : address?.Number,
            Premise = raw.Premise is null ? null : AddressNormalizer.Normalize(raw.Premise) is { } p ? Join(p.Number, p.Street) : null,
            Locality = raw.Locality is null ? null : NameNormalizer.Key(raw.Locality),
            Postcode = Take(AddressNormalizer.NormalizePostcode(raw.Postcode, country), raw.Postcode, errors),
            Region = raw.Region is null ? null : NameNormalizer.Key(raw.Region),
            NationalId = raw.NationalId is null ? null : NameNormalizer.Key(raw.NationalId).Replace(" ", string.Empty, StringComparison.Ordinal),
        };
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

namespace Crm.Pipeline.Cleaning;

/// <summary>
/// A person-like record after <see cref="PersonCleaner"/>: each field normalised, or null where the source gave
/// nothing or a value that failed validation. The identity stage maps it to what its matcher compares.
/// </summary>
/// <param name="Key">The record's opaque key, as on the <see cref="RawPerson"/>.</param>
public sealed record CleanPerson(string Key)
{
    /// <summary>Given name(s), as a match key (lower case, accents folded).</summary>
    public string? Given { get; init; }

    /// <summary>Family name, as a match key.</summary>
    public string? Family { get; init; }

    /// <summary>Date of birth, ISO yyyy-MM-dd.</summary>
    public string? DateOfBirth { get; init; }

    /// <summary>The normalised e-mail address.</summary>
    public string? Email { get; init; }

    /// <summary>The e-mail address again when the source has verified it, else null.</summary>
    public string? VerifiedEmail { get; init; }

    /// <summary>The phone number in E.164.</summary>
    public string? Phone { get; init; }

    /// <summary>House number.</summary>
    public string? StreetNumber { get; init; }

    /// <summary>Street line, abbreviations expanded.</summary>
    public string? Street { get; init; }

    /// <summary>Second address line (building, estate).</summary>
    public string? Premise { get; init; }

    /// <summary>Town, suburb or city.</summary>
    public string? Locality { get; init; }

    /// <summary>The normalised postcode.</summary>
    public string? Postcode { get; init; }

    /// <summary>State, county or region.</summary>
    public string? Region { get; init; }

    /// <summary>ISO country code, when the source named a country.</summary>
    public string? Country { get; init; }

    /// <summary>A near-key such as a national id number.</summary>
    public string? NationalId { get; init; }
}

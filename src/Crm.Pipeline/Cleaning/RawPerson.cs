namespace Crm.Pipeline.Cleaning;

/// <summary>A person-like record as a source gives it, before cleaning. Every field is optional.</summary>
public sealed class RawPerson
{
    /// <summary>Opaque key of the record.</summary>
    public required string Key { get; init; }

    /// <summary>Full name, when the source does not split it.</summary>
    public string? FullName { get; init; }

    /// <summary>Given name.</summary>
    public string? Given { get; init; }

    /// <summary>Family name.</summary>
    public string? Family { get; init; }

    /// <summary>E-mail address.</summary>
    public string? Email { get; init; }

    /// <summary>Whether the source verified the e-mail address.</summary>
    public bool EmailVerified { get; init; }

    /// <summary>Phone number as typed.</summary>
    public string? Phone { get; init; }

    /// <summary>Date of birth as given.</summary>
    public string? DateOfBirth { get; init; }

    /// <summary>House number, when separate.</summary>
    public string? StreetNumber { get; init; }

    /// <summary>Street line (may start with the number).</summary>
    public string? Street { get; init; }

    /// <summary>Second address line.</summary>
    public string? Premise { get; init; }

    /// <summary>Town, suburb or city.</summary>
    public string? Locality { get; init; }

    /// <summary>Postcode.</summary>
    public string? Postcode { get; init; }

    /// <summary>State or region.</summary>
    public string? Region { get; init; }

    /// <summary>Country (ISO alpha-2 preferred).</summary>
    public string? Country { get; init; }

    /// <summary>A national id number, if any.</summary>
    public string? NationalId { get; init; }
}

namespace Crm.Synthetic;

/// <summary>How a person is written down in one customer record (the original or a duplicate).</summary>
internal sealed class Identity
{
    public required string CustomerId { get; init; }
    public required string Feed { get; init; }   // "csv" or "jsonl"
    public required string Given { get; init; }
    public required string Family { get; init; }
    public required string Email { get; init; }
    public required string Phone { get; init; }
    public required string Street { get; init; }
    public required string City { get; init; }
    public required string Postcode { get; init; }
    public required bool FamilyFirst { get; init; }

    public string Name => FamilyFirst ? (Family + Given) : (Given + " " + Family);

    /// <summary>The name as written with Latin-script person names: family-first names get a space.</summary>
    public string NameSpaced => FamilyFirst ? (Family + " " + Given) : (Given + " " + Family);
}

/// <summary>One true person: who they are, how they are written, and how they behave.</summary>
internal sealed class Person
{
    public required int Index { get; init; }
    public required string PersonId { get; init; }
    public required Culture Culture { get; init; }
    public required bool Female { get; init; }
    public required string GivenLatin { get; init; }
    public required string FamilyLatin { get; init; }
    public required Identity Main { get; init; }
    public required string PhoneDigits { get; init; }
    public required int HouseholdOf { get; init; }      // index of the person they live with, or -1
    public required string Ip { get; init; }
    public required string UserAgent { get; init; }
    public required string VisitorId { get; init; }
    public required string Language { get; init; }

    // Filled in by the lifecycle.
    public Identity? Duplicate { get; set; }
    public string DuplicateKinds { get; set; } = "";
}

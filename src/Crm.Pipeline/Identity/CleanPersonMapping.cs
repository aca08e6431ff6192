using Crm.Pipeline.Cleaning;

namespace Crm.Pipeline.Identity;

/// <summary>Maps the cleaning stage's record to the fields the matcher compares.</summary>
public static class CleanPersonMapping
{
    /// <summary>The match record of a cleaned person: one field per <see cref="MatchField"/>, empty values missing.</summary>
    public static MatchRecord ToMatchRecord(this CleanPerson person)
    {
        ArgumentNullException.ThrowIfNull(person);
        var r = new MatchRecord(person.Key)
        {
            VerifiedEmail = person.VerifiedEmail,
            [MatchField.Given] = person.Given,
            [MatchField.Family] = person.Family,
            [MatchField.DateOfBirth] = person.DateOfBirth,
            [MatchField.Email] = person.Email,
            [MatchField.Phone] = person.Phone,
            [MatchField.StreetNumber] = person.StreetNumber,
            [MatchField.Street] = person.Street,
            [MatchField.Premise] = person.Premise,
            [MatchField.Locality] = person.Locality,
            [MatchField.Postcode] = person.Postcode,
            [MatchField.Region] = person.Region,
            [MatchField.Country] = person.Country,
            [MatchField.NationalId] = person.NationalId,
        };
        return r;
    }
}

namespace Crm.Synthetic;

/// <summary>
/// Names, places and number formats of one country. Names may carry a Latin transliteration
/// (<c>native|latin</c>) for scripts an email address cannot hold.
/// </summary>
internal sealed class Culture
{
    public required string Country { get; init; }          // ISO 3166 alpha-2
    public required string CountryName { get; init; }
    public required string Language { get; init; }          // en, de, fr, es, it, ...
    public required string Currency { get; init; }
    public required decimal FxPerUnit { get; init; }         // local currency units per base unit (EUR)
    public required int Weight { get; init; }
    public bool NonLatin { get; init; }
    public required string[] Male { get; init; }
    public required string[] Female { get; init; }
    public required string[] Family { get; init; }
    public required string[] Streets { get; init; }
    public required string[] Cities { get; init; }
    public required string PostcodePattern { get; init; }   // # digit, @ letter
    public required string CallingCode { get; init; }
    public required int NationalDigits { get; init; }
    public required string[] PhonePatterns { get; init; }   // # consumes one national digit; first ones national, last international
    public required string[] MailDomains { get; init; }
    public bool NumberFirst { get; init; }                  // "12 rue X" vs "Hauptstraße 12"
    public bool FamilyFirst { get; init; }                  // names written family-first (CJK, HU)
    public required int UtcOffsetMinutes { get; init; }
    public string DstRule { get; init; } = "";              // "eu", "us" or none
}

namespace Crm.Pipeline.Cleaning;

/// <summary>Settings of the cleaning normalisers (bound from <c>Crm:Identity:Cleaning</c>).</summary>
public sealed class CleaningOptions
{
    /// <summary>Region for phone numbers written without a country code (ISO 3166 alpha-2). Default "GB".</summary>
    public string DefaultRegion { get; set; } = "GB";

    /// <summary>Country assumed for postcodes when a record has none. Null: no country-specific postcode check.</summary>
    public string? DefaultCountry { get; set; }

    /// <summary>Apply provider rules to e-mail match keys (Gmail dots, "+tags"). Default true.</summary>
    public bool EmailProviderRules { get; set; } = true;

    /// <summary>Read slashed dates day first (03/04/1980 = 3 April). Default true.</summary>
    public bool DayFirst { get; set; } = true;
}
